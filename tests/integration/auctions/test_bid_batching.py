"""Bids that reach the engine in the same loop turn share one Redis pipeline, each with its own answer."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.engine import BidEngine
from exchange.auctions.models import Bid
from exchange.auctions.runtime import _engine_redis
from exchange.errors import DomainError
from exchange.redis.connection import make_redis
from tests.conftest import OrgFactory
from tests.support.lots import live_lot


async def _bid(engine: BidEngine, lot_id: int, org_id: int, amount_minor: int, currency: str = "CNY") -> object:
    try:
        return await engine.place_bid(lot_id=lot_id, bidder_org_id=org_id, amount_minor=amount_minor, currency=currency)
    except DomainError as error:
        return error


async def test_bids_of_one_loop_turn_get_their_own_answers_and_refusals(
    db: async_sessionmaker[AsyncSession], make_org: OrgFactory, redis_url: str
) -> None:
    seller = await make_org("seller")
    buyers = [await make_org("buyer") for _ in range(6)]
    lot_id = await live_lot(db, seller, min_bid_minor=1_000_00)
    engine = BidEngine(_engine_redis(make_redis(redis_url)), db)
    await engine.start()
    try:
        answers = await asyncio.gather(
            _bid(engine, lot_id, buyers[0].org_id or 0, 2_000_00),
            _bid(engine, lot_id, buyers[1].org_id or 0, 500_00),  # below the minimum
            _bid(engine, lot_id, buyers[2].org_id or 0, 3_000_00, currency="USD"),  # wrong currency
            _bid(engine, lot_id, buyers[3].org_id or 0, 4_000_00),
            _bid(engine, lot_id, seller.org_id or 0, 9_000_00),  # the seller's own lot
            _bid(engine, lot_id, buyers[0].org_id or 0, 2_500_00),  # a revision in the same turn
        )
        # Redis forgot the scripts: the next turn's bids load it again and go through.
        redis = Redis.from_url(redis_url)
        await redis.script_flush()
        await redis.aclose()
        later = await asyncio.gather(
            _bid(engine, lot_id, buyers[4].org_id or 0, 1_500_00),
            _bid(engine, lot_id, buyers[5].org_id or 0, 1_600_00),
        )
    finally:
        await engine.stop()
        await engine.redis.aclose(close_connection_pool=True)

    refused = {index: getattr(answer, "status_code", None) for index, answer in enumerate(answers)}
    assert (refused[1], getattr(answers[1], "field", None)) == (422, "amount")
    assert (refused[2], getattr(answers[2], "field", None)) == (422, "currency")
    assert refused[4] in {403, 409}
    accepted = [answers[0], answers[3], answers[5], *later]
    assert not any(isinstance(answer, DomainError) for answer in accepted)
    # The same bidder twice in one turn: both accepted, as revisions 1 and 2 in whichever order Redis ran
    # them (both first met an unloaded lot and were retried after the load), and the later one stands.
    own = sorted((answers[0], answers[5]), key=lambda answer: getattr(answer, "revision", 0))
    assert [getattr(answer, "revision", None) for answer in own] == [1, 2]
    latest_amount = getattr(own[1], "amount_minor", None)
    async with db() as session:
        stored = dict(
            (await session.execute(select(Bid.bidder_org_id, Bid.amount_minor).where(Bid.lot_id == lot_id))).all()
        )
    assert stored == {
        buyers[0].org_id: latest_amount,
        buyers[3].org_id: 4_000_00,
        buyers[4].org_id: 1_500_00,
        buyers[5].org_id: 1_600_00,
    }
