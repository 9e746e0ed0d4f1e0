from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import time

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions import scripts
from exchange.auctions.counts import bid_counts
from exchange.auctions.models import EngineIdentity
from exchange.auctions.runtime import lot_listeners, make_bid_engine
from exchange.auctions.scripts import LotKeys
from exchange.events import EventDispatcher
from exchange.lots.events import LotSoldElsewhere
from exchange.orders.services import create_order_for_lot
from tests.conftest import OrgFactory
from tests.support.lots import live_lot
from tests.support.stack import private_stack


async def test_a_lot_whose_redis_state_was_lost_is_rebuilt_from_sql_before_the_next_bid(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, redis_url: str
) -> None:
    seller, first, second = await make_org("seller"), await make_org("buyer"), await make_org("buyer")
    lot_id = await live_lot(db, seller)
    url = f"/api/lots/{lot_id}/bids"
    keyed = {**first.headers, "Idempotency-Key": "before-the-loss"}
    original = await client.post(url, json={"amount": "100"}, headers=keyed)
    assert (await client.post(url, json={"amount": "120"}, headers=second.headers)).status_code == 201

    async with db() as session:
        identity = await session.get(EngineIdentity, 1)
    assert identity is not None
    redis = Redis.from_url(redis_url)
    await redis.delete(*LotKeys(lot_id, f"sx:{identity.space}:").all())  # as if Redis lost its data
    # The app's runtime with this loop's clients (its engine already knows the key space).
    runtime = dataclasses.replace(client.app.state.runtime, redis=redis, session_maker=db)
    assert await bid_counts(runtime, [lot_id]) == {lot_id: 2}  # counted from SQL meanwhile

    replay = await client.post(url, json={"amount": "100"}, headers=keyed)
    assert replay.status_code == 201
    assert replay.json() == original.json()
    revised = await client.post(url, json={"amount": "130"}, headers=first.headers)
    assert revised.json()["revision"] == 2  # numbering continues from SQL
    assert await bid_counts(redis, [lot_id]) == {lot_id: 2}
    await redis.aclose()


async def test_the_engine_loads_its_scripts_again_when_redis_forgot_them(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, redis_url: str
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    lot_id = await live_lot(db, seller)
    redis = Redis.from_url(redis_url)
    await redis.script_flush()
    await redis.aclose()
    answer = await client.post(f"/api/lots/{lot_id}/bids", json={"amount": "100"}, headers=buyer.headers)
    assert answer.status_code == 201


async def test_a_lot_sold_by_a_quote_refuses_every_later_bid(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, redis_url: str
) -> None:
    seller, quoted, bidder = await make_org("seller"), await make_org("buyer"), await make_org("buyer")
    told = await live_lot(db, seller)
    untold = await live_lot(db, seller, sale_mode="fixed_price", price_minor=500_00)
    for lot_id in (told, untold):  # both are loaded into Redis as open
        await client.post(f"/api/lots/{lot_id}/bids", json={"amount": "100"}, headers=bidder.headers)
        async with db() as session, session.begin():
            await create_order_for_lot(session, lot_id, buyer_org_id=quoted.org_id or 0, amount_minor=1, source="quote")

    # The RFQ capability tells the engine after its commit (here as another process would).
    redis = Redis.from_url(redis_url)
    other = make_bid_engine(redis, db, client.app.state.runtime.live)
    await EventDispatcher(lot_listeners(other, lambda *_event: None)).emit(LotSoldElsewhere(told))
    await other.redis.aclose(close_connection_pool=True)
    await redis.aclose()

    late_bid = await client.post(f"/api/lots/{told}/bids", json={"amount": "200"}, headers=bidder.headers)
    assert late_bid.status_code == 409
    # Not told: SQL, the system of record, still refuses the sale.
    late_purchase = await client.post(f"/api/lots/{untold}/purchase", headers=bidder.headers)
    assert late_purchase.status_code == 409


async def test_while_redis_is_down_bids_and_purchases_answer_503_with_retry_after_and_recover_after() -> None:
    async with private_stack(scheduler=False) as stack:
        seller, buyer = await stack.make_org("seller"), await stack.make_org("buyer")
        sealed = await live_lot(stack.db, seller)
        fixed = await live_lot(stack.db, seller, sale_mode="fixed_price", price_minor=100_00)
        assert (
            await stack.client.post(f"/api/lots/{sealed}/bids", json={"amount": "10"}, headers=buyer.headers)
        ).status_code == 201

        stack.redis_server.stop()
        for call in (
            stack.client.post(f"/api/lots/{sealed}/bids", json={"amount": "20"}, headers=buyer.headers),
            stack.client.post(f"/api/lots/{fixed}/purchase", headers=buyer.headers),
            stack.client.delete(f"/api/lots/{sealed}/bids/mine", headers=buyer.headers),
        ):
            answer = await call
            assert answer.status_code == 503
            assert answer.headers["retry-after"]
            assert answer.headers["content-type"].startswith("application/problem+json")
        mine = await stack.client.get(f"/api/lots/{sealed}/bids/mine", headers=buyer.headers)
        assert mine.json()["amount"] == "10.00"  # nothing half-written

        stack.redis_server.ensure_running()
        again = await stack.client.post(f"/api/lots/{sealed}/bids", json={"amount": "20"}, headers=buyer.headers)
        assert again.status_code == 201
        assert again.json()["revision"] == 2
        assert (await stack.client.post(f"/api/lots/{fixed}/purchase", headers=buyer.headers)).status_code == 201


async def test_a_redis_that_hangs_gets_a_503_within_the_engine_deadline_and_bids_resume_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The engine's client has no per-socket timeout; each call's own deadline must bound a frozen server.
    monkeypatch.setattr(scripts, "ENGINE_REDIS_TIMEOUT", 0.5)
    async with private_stack(scheduler=False) as stack:
        seller, buyer = await stack.make_org("seller"), await stack.make_org("buyer")
        lot_id = await live_lot(stack.db, seller)
        url = f"/api/lots/{lot_id}/bids"
        assert (await stack.client.post(url, json={"amount": "10"}, headers=buyer.headers)).status_code == 201

        pid = int(stack.redis_server.pid_path.read_text().strip())
        os.kill(pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            frozen = await asyncio.wait_for(stack.client.post(url, json={"amount": "20"}, headers=buyer.headers), 10)
            waited = time.monotonic() - started
        finally:
            os.kill(pid, signal.SIGCONT)
        assert frozen.status_code == 503
        assert frozen.headers["retry-after"]
        assert waited < 5, waited

        again = await stack.client.post(url, json={"amount": "30"}, headers=buyer.headers)
        assert again.status_code == 201
        mine = await stack.client.get(f"/api/lots/{lot_id}/bids/mine", headers=buyer.headers)
        assert mine.json()["amount"] == "30.00"
