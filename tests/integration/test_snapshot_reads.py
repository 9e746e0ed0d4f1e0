"""`read_one_snapshot`: several reads of one session see one committed state, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.db.engine import read_one_snapshot


async def test_reads_after_read_one_snapshot_do_not_see_a_later_commit(
    db: async_sessionmaker[AsyncSession],
) -> None:
    table = f"probe_{uuid.uuid4().hex[:8]}"  # a table of its own: no domain rows are touched
    async with db() as session, session.begin():
        await session.execute(text(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, state TEXT NOT NULL)"))
        await session.execute(text(f"INSERT INTO {table} (id, state) VALUES (1, 'live')"))
    try:
        async with db() as plain, db() as snapshot:
            await read_one_snapshot(snapshot)
            assert await snapshot.scalar(text(f"SELECT state FROM {table}")) == "live"
            assert await plain.scalar(text(f"SELECT state FROM {table}")) == "live"
            await plain.rollback()
            async with db() as writer, writer.begin():
                await writer.execute(text(f"UPDATE {table} SET state = 'withdrawn'"))
            # Without one snapshot the second read would see the withdrawal (SQLite's driver and
            # PostgreSQL's READ COMMITTED both read the latest commit per statement).
            assert await plain.scalar(text(f"SELECT state FROM {table}")) == "withdrawn"
            assert await snapshot.scalar(text(f"SELECT state FROM {table}")) == "live"
    finally:
        async with db() as session, session.begin():
            await session.execute(text(f"DROP TABLE {table}"))
