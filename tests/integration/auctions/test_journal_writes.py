"""The group commit's database write: one transaction per batch, and the rare clash when Redis diverged."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.batch import CLASH, CLOSED, OK, BidWrite
from exchange.auctions.journal import BidJournal
from exchange.auctions.models import Bid, BidRevision
from exchange.lots.models import Lot
from tests.conftest import OrgFactory
from tests.support.auctions import accepted_write
from tests.support.lots import live_lot


async def _journal(db: async_sessionmaker[AsyncSession]) -> tuple[BidJournal, list[Any], list[set[int]]]:
    confirmed: list[Any] = []
    dropped: list[set[int]] = []

    async def confirm(writes: list[BidWrite]) -> None:
        confirmed.extend(writes)

    async def drop(lot_ids: set[int]) -> None:
        dropped.append(set(lot_ids))

    return BidJournal(db, confirm, drop), confirmed, dropped


async def _stored(db: async_sessionmaker[AsyncSession], lot_id: int) -> tuple[list[tuple[int, int]], list[Any]]:
    async with db() as session:
        revisions = (
            await session.execute(
                select(BidRevision.bidder_org_id, BidRevision.revision)
                .where(BidRevision.lot_id == lot_id)
                .order_by(BidRevision.bidder_org_id, BidRevision.revision)
            )
        ).all()
        current = (
            await session.execute(
                select(Bid.bidder_org_id, Bid.revision, Bid.amount_minor)
                .where(Bid.lot_id == lot_id)
                .order_by(Bid.bidder_org_id)
            )
        ).all()
    return [tuple(row) for row in revisions], [tuple(row) for row in current]


async def test_a_batch_stores_every_revision_and_each_bidders_latest_bid(
    db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, one, two = await make_org("seller"), await make_org("buyer"), await make_org("buyer")
    lot_id = await live_lot(db, seller)
    a, b = one.org_id or 0, two.org_id or 0
    journal, confirmed, dropped = await _journal(db)
    writes = [
        accepted_write(lot_id, a, 1, amount_minor=5_000_00, receipt="r1"),
        accepted_write(lot_id, b, 1, amount_minor=6_000_00, receipt="r2"),
        accepted_write(lot_id, a, 2, amount_minor=7_000_00, receipt="r3"),
    ]
    try:
        results = await asyncio.gather(*(journal.write(item) for item in writes))
    finally:
        await journal.stop()
    assert results == [OK, OK, OK]
    assert [item.receipt for item in confirmed] == ["r1", "r2", "r3"]
    assert dropped == []
    revisions, current = await _stored(db, lot_id)
    assert revisions == sorted([(a, 1), (a, 2), (b, 1)])
    assert current == sorted([(a, 2, 7_000_00), (b, 1, 6_000_00)])


async def test_a_revision_taken_by_another_acceptance_clashes_and_the_other_lots_are_still_written(
    db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    diverged = await live_lot(db, seller)
    healthy = await live_lot(db, seller)
    bidder = buyer.org_id or 0
    journal, confirmed, dropped = await _journal(db)
    try:
        assert await journal.write(accepted_write(diverged, bidder, 1, amount_minor=5_000_00, receipt="first")) == OK
        # Redis lost the lot and handed out revision 1 again, for another amount.
        results = await asyncio.gather(
            journal.write(accepted_write(diverged, bidder, 1, amount_minor=9_000_00, receipt="second")),
            journal.write(accepted_write(healthy, bidder, 1, amount_minor=4_000_00, receipt="other-lot")),
        )
    finally:
        await journal.stop()
    assert results == [CLASH, OK]
    assert {diverged} in dropped  # rebuilt from SQL before its next bid
    assert [item.receipt for item in confirmed] == ["first", "other-lot"]
    assert await _stored(db, diverged) == ([(bidder, 1)], [(bidder, 1, 5_000_00)])
    assert await _stored(db, healthy) == ([(bidder, 1)], [(bidder, 1, 4_000_00)])


async def test_a_bid_on_a_lot_that_left_live_is_answered_closed_and_not_written(
    db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    lot_id = await live_lot(db, seller)
    async with db() as session, session.begin():
        lot = await session.get(Lot, lot_id)
        assert lot is not None
        lot.status = "withdrawn"
    journal, _confirmed, dropped = await _journal(db)
    try:
        assert (
            await journal.write(accepted_write(lot_id, buyer.org_id or 0, 1, amount_minor=5_000_00, receipt="late"))
            == CLOSED
        )
    finally:
        await journal.stop()
    assert {lot_id} in dropped
    assert await _stored(db, lot_id) == ([], [])


async def test_the_answer_does_not_wait_for_the_redis_confirm_and_stop_does(
    db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    lot_id = await live_lot(db, seller)
    release = asyncio.Event()
    confirmed: list[str] = []

    async def slow_confirm(writes: list[BidWrite]) -> None:
        await release.wait()  # Redis answering slowly
        confirmed.extend(item.receipt for item in writes)

    async def drop(_lot_ids: set[int]) -> None:
        return None

    journal = BidJournal(db, slow_confirm, drop)
    try:
        answer = await asyncio.wait_for(
            journal.write(accepted_write(lot_id, buyer.org_id or 0, 1, amount_minor=5_000_00, receipt="r1")), 10
        )
        assert answer == OK  # durable in SQL: answered while the confirm still waits
        assert confirmed == []
        stopping = asyncio.create_task(journal.stop())
        await asyncio.sleep(0.05)
        assert not stopping.done()  # the journal stops only after its last confirm
        release.set()
        await asyncio.wait_for(stopping, 10)
    finally:
        release.set()
    assert confirmed == ["r1"]
