"""The journal's SQLite writer process: it commits batches, and its death costs at most the batch in flight."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.batch import CLOSED, OK, BidWrite
from exchange.auctions.journal import BidJournal
from exchange.auctions.models import BidRevision
from exchange.auctions.writers import JournalWriterFailed, SqliteProcessWriter
from exchange.db.engine import make_engine, make_session_maker
from exchange.settings import Settings
from tests.support.auctions import accepted_write
from tests.support.buyers import registered_orgs
from tests.support.databases import fresh_database_url
from tests.support.lots import live_lot


@dataclass
class SqliteDb:
    path: str
    sessions: async_sessionmaker[AsyncSession]
    lot_id: int
    bidder: int


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[SqliteDb]:
    """A migrated SQLite file of its own (whatever the suite's backend), with one live lot."""
    url = await asyncio.to_thread(fresh_database_url, "sqlite", tmp_path)
    settings = Settings.from_env({"DATA_DIR": str(tmp_path), "DATABASE_URL": url})
    engine = make_engine(settings.database)
    sessions = make_session_maker(engine)
    (seller,) = await registered_orgs(sessions, "", "seller", 1)
    (bidder,) = await registered_orgs(sessions, "", "buyer", 1)
    lot_id = await live_lot(sessions, seller)
    yield SqliteDb(str(settings.database.sqlite_path), sessions, lot_id, bidder.org_id or 0)
    await engine.dispose()


async def _revisions(db: SqliteDb) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(BidRevision)) or 0)


async def _child_pid(writer: SqliteProcessWriter) -> int:
    process = writer._process  # the test looks at the child it is about to kill
    assert process is not None
    return process.pid


async def test_a_new_writer_process_takes_over_after_one_died(sqlite_db: SqliteDb) -> None:
    writer = SqliteProcessWriter(sqlite_db.path)
    try:
        assert await writer.write([accepted_write(sqlite_db.lot_id, sqlite_db.bidder, 1)]) == (
            {sqlite_db.lot_id},
            set(),
        )
        first = await _child_pid(writer)
        os.kill(first, signal.SIGKILL)
        assert writer._process is not None
        await writer._process.wait()
        assert await writer.write([accepted_write(sqlite_db.lot_id, sqlite_db.bidder, 2)]) == (
            {sqlite_db.lot_id},
            set(),
        )
        assert await _child_pid(writer) != first
    finally:
        await writer.close()
    assert await _revisions(sqlite_db) == 2


async def test_the_batch_in_flight_when_the_writer_dies_fails_and_the_next_one_commits(sqlite_db: SqliteDb) -> None:
    writer = SqliteProcessWriter(sqlite_db.path)
    try:
        await writer.write([accepted_write(sqlite_db.lot_id, sqlite_db.bidder, 1)])
        child = await _child_pid(writer)
        os.kill(child, signal.SIGSTOP)  # the next batch is sent but never answered…
        in_flight = asyncio.create_task(writer.write([accepted_write(sqlite_db.lot_id, sqlite_db.bidder, 2)]))
        await asyncio.sleep(0.2)
        assert not in_flight.done()
        os.kill(child, signal.SIGKILL)  # …and then its writer dies
        with pytest.raises(JournalWriterFailed):
            await in_flight
        assert await writer.write([accepted_write(sqlite_db.lot_id, sqlite_db.bidder, 3)]) == (
            {sqlite_db.lot_id},
            set(),
        )
    finally:
        await writer.close()
    assert await _revisions(sqlite_db) == 2  # revisions 1 and 3; 2 was never acknowledged


async def test_the_journal_answers_through_the_writer_process_and_the_child_ends_with_it(sqlite_db: SqliteDb) -> None:
    async def confirm(_writes: list[BidWrite]) -> None:
        return None

    async def drop(_lot_ids: set[int]) -> None:
        return None

    journal = BidJournal(sqlite_db.sessions, confirm, drop)
    writer = journal._writer
    assert isinstance(writer, SqliteProcessWriter)
    answers = await asyncio.gather(
        *(journal.write(accepted_write(sqlite_db.lot_id, sqlite_db.bidder, r)) for r in (1, 2, 3))
    )
    assert answers == [OK, OK, OK]
    assert (
        await journal.write(accepted_write(sqlite_db.lot_id + 1000, sqlite_db.bidder, 1)) == CLOSED
    )  # no such live lot
    process = writer._process
    assert process is not None
    await journal.stop()
    assert process.returncode == 0  # it ended by itself once its stdin closed
    assert await _revisions(sqlite_db) == 3
