"""`exchange.audit.record`: gapless sequence numbers and a hash chain, in the caller's transaction, also
under concurrent writers; the tables refuse UPDATE and DELETE on both databases."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.audit import record
from exchange.audit.canonical import canonical_json, chain_hash, record_bytes
from exchange.audit.models import AuditRecord
from exchange.audit.services import head
from exchange.audit.verify import verify_log

NOW = datetime(2026, 12, 6, 21, 30, tzinfo=UTC)


async def _rows_from(db: async_sessionmaker[AsyncSession], first: int) -> list[AuditRecord]:
    async with db() as session:
        query = select(AuditRecord).where(AuditRecord.seq >= first).order_by(AuditRecord.seq)
        return list(await session.scalars(query))


async def test_records_follow_each_other_by_one_and_chain_their_hashes(db: async_sessionmaker[AsyncSession]) -> None:
    async with db() as session, session.begin():
        size, previous = await head(session)
        first = await record(
            session,
            actor="org:3",
            object_type="lot",
            object_id=12,
            action="publish",
            before={"status": "draft"},
            after={"status": "live", "closes_at": NOW},
            at=NOW,
        )
        second = await record(
            session, actor="clock", object_type="lot", object_id=12, action="close", before=None, after=None, at=NOW
        )
    assert (first, second) == (size + 1, size + 2)
    rows = await _rows_from(db, first)
    assert [row.seq for row in rows][:2] == [first, second]
    assert rows[0].after == '{"closes_at":"2026-12-06T21:30:00.000000Z","status":"live"}'
    assert rows[0].at == "2026-12-06T21:30:00.000000Z"
    for row in rows[:2]:
        body = record_bytes(
            row.seq, row.at, row.actor, row.object_type, row.object_id, row.action, row.before, row.after
        )
        assert body == canonical_json(
            {
                "seq": row.seq,
                "at": NOW,
                "actor": row.actor,
                "object_type": "lot",
                "object_id": 12,
                "action": row.action,
                "before": None if row.before is None else {"status": "draft"},
                "after": None if row.after is None else {"status": "live", "closes_at": NOW},
            }
        )
        previous = chain_hash(previous, body)
        assert row.hash == previous.hex()


async def test_a_rolled_back_change_leaves_no_record_and_no_gap(db: async_sessionmaker[AsyncSession]) -> None:
    async with db() as session, session.begin():
        size, _ = await head(session)
    async with db() as session:
        await session.begin()
        await record(session, actor="system", object_type="lot", object_id=1, action="x", at=NOW)
        await session.rollback()
    async with db() as session, session.begin():
        assert (await head(session))[0] == size
        seq = await record(session, actor="system", object_type="lot", object_id=1, action="y", at=NOW)
    assert seq == size + 1


async def test_concurrent_writers_get_consecutive_numbers_and_one_chain(db: async_sessionmaker[AsyncSession]) -> None:
    async def append(n: int) -> int:
        async with db() as session, session.begin():
            seq = await record(session, actor=f"org:{n}", object_type="order", object_id=n, action="pay", at=NOW)
            await asyncio.sleep(0)  # let the others queue behind this transaction's lock
            return seq

    async with db() as session:
        size, _ = await head(session)
    seqs = await asyncio.gather(*(append(n) for n in range(20)))
    assert sorted(seqs) == list(range(size + 1, size + 21))
    async with db() as session:
        report = await verify_log(session)
    assert report.ok, report.violations


@pytest.mark.parametrize("change", ["update", "delete"])
async def test_the_log_refuses_update_and_delete(db: async_sessionmaker[AsyncSession], change: str) -> None:
    async with db() as session, session.begin():
        seq = await record(session, actor="system", object_type="lot", object_id=5, action="probe", at=NOW)
    statement = (
        update(AuditRecord).where(AuditRecord.seq == seq).values(actor="admin:1")
        if change == "update"
        else delete(AuditRecord).where(AuditRecord.seq == seq)
    )
    with pytest.raises(DBAPIError, match="append-only"):
        async with db() as session, session.begin():
            await session.execute(statement.execution_options(synchronize_session=False))
    async with db() as session:
        assert (await session.execute(select(AuditRecord.actor).where(AuditRecord.seq == seq))).scalar_one() == "system"
        if session.get_bind().dialect.name == "postgresql":
            with pytest.raises(DBAPIError, match="append-only"):
                await session.execute(text("TRUNCATE audit_log"))


async def test_a_rolled_back_savepoint_leaves_no_gap(db: async_sessionmaker[AsyncSession]) -> None:
    async with db() as session, session.begin():
        first = await record(session, actor="system", object_type="lot", object_id=2, action="a", at=NOW)
        savepoint = await session.begin_nested()
        await record(session, actor="system", object_type="lot", object_id=2, action="b", at=NOW)
        await savepoint.rollback()
        third = await record(session, actor="system", object_type="lot", object_id=2, action="c", at=NOW)
    assert third == first + 1
    async with db() as session:
        report = await verify_log(session)
    assert report.ok, report.violations
