"""A bid committed after its lot's Redis state was rebuilt without it still reaches the new state."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.engine import BidEngine
from exchange.auctions.journal import OK, BidWrite
from exchange.auctions.models import Bid, BidRevision
from exchange.auctions.runtime import _engine_redis
from exchange.redis.connection import make_redis
from tests.conftest import OrgFactory
from tests.support.lots import insert_live_lot


async def test_a_bid_accepted_before_a_rebuild_and_committed_after_it_is_merged_into_the_new_state(
    db: async_sessionmaker[AsyncSession], make_org: OrgFactory, redis_url: str
) -> None:
    seller, first, second = await make_org("seller"), await make_org("buyer"), await make_org("buyer")
    lot_id = await insert_live_lot(db, seller.org_id or 0)
    engine = BidEngine(_engine_redis(make_redis(redis_url)), db)
    await engine.start()
    try:
        await engine.place_bid(lot_id=lot_id, bidder_org_id=first.org_id or 0, amount_minor=100_00, currency="CNY")
        accepted = await engine.accept_bid(
            lot_id=lot_id, bidder_org_id=second.org_id or 0, amount_minor=150_00, currency="CNY"
        )
        assert isinstance(accepted, BidWrite)
        # Redis loses the lot, and a load rebuilds it from SQL before the accepted bid is committed.
        keys = await engine.keys(lot_id)
        await engine.redis.delete(*keys.all())
        await engine._load(keys)
        assert await engine.redis.hget(keys.state, "count") == b"1"

        assert await engine._durable(accepted) == OK
        await engine.journal.confirmed()
        assert await engine.redis.hget(keys.state, "count") == b"2"
        # The bidder's next bid continues from the committed revision.
        revised = await engine.place_bid(
            lot_id=lot_id, bidder_org_id=second.org_id or 0, amount_minor=160_00, currency="CNY"
        )
        assert revised.revision == 2
    finally:
        await engine.stop()
        await engine.redis.aclose(close_connection_pool=True)


async def test_a_next_revision_that_beats_the_confirm_clashes_and_is_placed_after_a_rebuild(
    db: async_sessionmaker[AsyncSession], make_org: OrgFactory, redis_url: str
) -> None:
    seller, bidder = await make_org("seller"), await make_org("buyer")
    lot_id = await insert_live_lot(db, seller.org_id or 0)
    engine = BidEngine(_engine_redis(make_redis(redis_url)), db)
    release = asyncio.Event()
    confirm = engine.journal._confirm

    async def held_confirm(writes: list[BidWrite]) -> None:
        await release.wait()
        await confirm(writes)

    engine.journal._confirm = held_confirm
    await engine.start()
    try:
        org_id = bidder.org_id or 0
        accepted = await engine.accept_bid(lot_id=lot_id, bidder_org_id=org_id, amount_minor=100_00, currency="CNY")
        assert isinstance(accepted, BidWrite)
        keys = await engine.keys(lot_id)
        await engine.redis.delete(*keys.all())
        await engine._load(keys)  # rebuilt without revision 1, which is not committed yet
        assert await engine._durable(accepted) == OK  # answered; its confirm is held back

        revised = await engine.place_bid(lot_id=lot_id, bidder_org_id=org_id, amount_minor=120_00, currency="CNY")
        assert revised.revision == 2
        release.set()
        await engine.journal.confirmed()
    finally:
        release.set()
        await engine.stop()
        await engine.redis.aclose(close_connection_pool=True)
    async with db() as session:
        rows = (
            await session.execute(
                select(BidRevision.revision, BidRevision.amount_minor)
                .where(BidRevision.lot_id == lot_id)
                .order_by(BidRevision.revision)
            )
        ).all()
        current = await session.get(Bid, (lot_id, org_id))
    assert [tuple(row) for row in rows] == [(1, 100_00), (2, 120_00)]
    assert current is not None
    assert (current.revision, current.amount_minor) == (2, 120_00)
