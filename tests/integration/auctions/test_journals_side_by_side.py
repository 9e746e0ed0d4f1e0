"""Two processes' bid journals commit their batches at the same time on one database (two workers, or two
hosts): every batch locks and writes its rows in one global order, so two batches holding the same
(lot, bidder) rows never deadlock, whatever order their bids arrived in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.batch import OK
from exchange.auctions.journal import BidJournal
from exchange.auctions.models import Bid
from exchange.db.engine import make_engine, make_session_maker
from exchange.settings import Settings
from tests.support.auctions import accepted_write
from tests.support.buyers import registered_orgs
from tests.support.lots import live_lot

BIDDERS = 20
LOTS = 40  # 800 rows a batch: long enough that two batches' writes overlap in the database
ROUNDS = 4  # before the global order, 9 rounds in 10 deadlocked on PostgreSQL


async def _nothing(_items: object) -> None:
    return None


@pytest.fixture
async def second_process_db(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The same database through an engine (a connection pool) of its own, as another process has."""
    engine = make_engine(settings.database)
    yield make_session_maker(engine)
    await engine.dispose()


async def test_two_journals_writing_the_same_bidders_in_opposite_orders_both_commit(
    db: async_sessionmaker[AsyncSession],
    second_process_db: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    (seller,) = await registered_orgs(db, settings.secret_key, "seller", 1)
    bidders = [buyer.org_id or 0 for buyer in await registered_orgs(db, settings.secret_key, "buyer", BIDDERS)]
    lots = [await live_lot(db, seller) for _ in range(LOTS)]
    pairs = [(lot_id, bidder) for bidder in bidders for lot_id in lots]
    journals = [BidJournal(maker, _nothing, _nothing) for maker in (db, second_process_db)]
    outcomes: list[str] = []
    try:
        for round_ in range(ROUNDS):
            # Each journal gets one revision of every pair in the same loop turn, so each commits them as one
            # batch; the two batches arrive in opposite orders.
            first = [journals[0].write(accepted_write(lot, bidder, 2 * round_ + 1)) for lot, bidder in pairs]
            second = [journals[1].write(accepted_write(lot, bidder, 2 * round_ + 2)) for lot, bidder in reversed(pairs)]
            outcomes += await asyncio.gather(*first, *second, return_exceptions=True)
    finally:
        for journal in journals:
            await journal.stop()

    assert [o for o in outcomes if o != OK] == []  # a deadlock fails a whole batch with a database error
    async with db() as session:
        latest = dict(
            ((row.lot_id, row.bidder_org_id), row.revision)
            for row in await session.scalars(select(Bid).where(Bid.lot_id.in_(lots)))
        )
    assert latest == {pair: 2 * ROUNDS for pair in pairs}
