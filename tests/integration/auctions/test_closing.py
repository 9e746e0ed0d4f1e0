from __future__ import annotations

import asyncio

from redis.asyncio import Redis
from sqlalchemy import func, select

from exchange.auctions.closing import close_lot
from exchange.auctions.engine import BidEngine
from exchange.lots.models import Lot
from exchange.orders.models import Order
from tests.support.auctions import CLOSE_WITHIN, close_now, closing_lot
from tests.support.stack import private_stack
from tests.support.waiting import eventually


async def test_bids_after_the_deadline_are_refused_while_the_scheduler_is_late_and_racing_closers_award_once() -> None:
    async with private_stack(scheduler=False) as stack:
        seller, early, late = (
            await stack.make_org("seller"),
            await stack.make_org("buyer"),
            await stack.make_org("buyer"),
        )
        lot_id = await closing_lot(stack.db, seller)
        placed = await stack.client.post(f"/api/lots/{lot_id}/bids", json={"amount": "500"}, headers=early.headers)
        assert placed.status_code == 201
        await close_now(stack.db, stack.settings, lot_id)  # the closing time passes; no scheduler runs

        async def past_its_close() -> bool | None:  # the sale panel says so once the server's clock passes it
            status = await stack.client.get(f"/lots/{lot_id}/sale/status", headers=early.headers)
            return True if "the bids are being opened" in status.text else None

        await eventually(past_its_close, within=CLOSE_WITHIN)
        too_late = await stack.client.post(f"/api/lots/{lot_id}/bids", json={"amount": "900"}, headers=late.headers)
        assert too_late.status_code == 409
        assert too_late.json()["code"] == "bidding_closed"
        withdraw = await stack.client.delete(f"/api/lots/{lot_id}/bids/mine", headers=early.headers)
        assert withdraw.status_code == 409
        async with stack.db() as session:
            assert await session.scalar(select(Lot.status).where(Lot.id == lot_id)) == "live"  # nobody closed it yet

        # Two server processes' closers race: each has its own Redis connections and database engine.
        engines = [
            BidEngine(Redis.from_url(stack.redis_server.url), stack.db),
            BidEngine(Redis.from_url(stack.redis_server.url), stack.db),
        ]
        results = await asyncio.gather(*(close_lot(engine, lot_id) for engine in engines))
        for engine in engines:
            await engine.redis.aclose()

        assert sum(result is not None for result in results) == 1
        async with stack.db() as session:
            assert await session.scalar(select(func.count()).select_from(Order).where(Order.lot_id == lot_id)) == 1
            order = await session.scalar(select(Order).where(Order.lot_id == lot_id))
            assert await session.scalar(select(Lot.status).where(Lot.id == lot_id)) == "awarded"
        assert order is not None
        assert order.buyer_org_id == early.org_id
        assert order.amount_minor == 500_00
