"""A bid committed after its lot's Redis state was rebuilt without it still reaches the new state."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.batch import OK, BidWrite
from exchange.auctions.engine import BidEngine
from exchange.auctions.models import Bid, BidRevision
from exchange.auctions.runtime import _engine_redis
from exchange.redis.connection import make_redis
from tests.conftest import OrgFactory
from tests.support.lots import live_lot


async def test_a_bid_accepted_before_a_rebuild_and_committed_after_it_is_merged_into_the_new_state(
    db: async_sessionmaker[AsyncSession], make_org: OrgFactory, redis_url: str
) -> None:
    seller, first, second = await make_org("seller"), await make_org("buyer"), await make_org("buyer")
    lot_id = await live_lot(db, seller)
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
    lot_id = await live_lot(db, seller)
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


async def test_bids_into_a_state_that_still_stands_need_no_confirm_even_beside_other_lots_rebuilding(
    db: async_sessionmaker[AsyncSession], make_org: OrgFactory, redis_url: str
) -> None:
    seller = await make_org("seller")
    buyers = [await make_org("buyer") for _ in range(3)]
    lot_id = await live_lot(db, seller)
    engine = BidEngine(_engine_redis(make_redis(redis_url)), db)
    confirms: list[int] = []
    run_many = engine.scripts.run_many

    async def counted(name: str, calls: Any) -> list[Any]:
        if name == "confirm_bids":
            confirms.append(len(calls))
        return await run_many(name, calls)

    engine.scripts.run_many = counted  # type: ignore[method-assign]
    await engine.start()
    try:
        await asyncio.gather(
            *(
                engine.place_bid(lot_id=lot_id, bidder_org_id=b.org_id or 0, amount_minor=100_00 + i, currency="CNY")
                for i, b in enumerate(buyers)
            )
        )
        await engine.journal.confirmed()
        assert confirms == []  # loaded once, before any of them was accepted; nothing rebuilt since

        accepted = await engine.accept_bid(
            lot_id=lot_id, bidder_org_id=buyers[0].org_id or 0, amount_minor=200_00, currency="CNY"
        )
        assert isinstance(accepted, BidWrite)
        other = await live_lot(db, seller)
        await engine._load(await engine.keys(other))  # another lot's rebuild: each lot has its own mark
        assert await engine._durable(accepted) == OK
        await engine.journal.confirmed()
        assert confirms == []

        accepted = await engine.accept_bid(
            lot_id=lot_id, bidder_org_id=buyers[1].org_id or 0, amount_minor=210_00, currency="CNY"
        )
        assert isinstance(accepted, BidWrite)
        keys = await engine.keys(lot_id)
        await engine.redis.delete(*keys.all())
        await engine._load(keys)  # this lot rebuilt before the bid's commit: its mark changed
        assert await engine._durable(accepted) == OK
        await engine.journal.confirmed()
        assert confirms == [1]
        assert await engine.redis.hget(keys.state, "count") == b"3"
    finally:
        await engine.stop()
        await engine.redis.aclose(close_connection_pool=True)
