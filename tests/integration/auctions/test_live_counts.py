"""Each lot's live channel (what its page's SSE stream relays) hears that lot's public bid count.

The test listens on its own Redis connection: the app's channels backend belongs to the app's event loop
(the test client's thread), and using it from the test's loop failed once its connection had been idle
past redis-py's health-check interval (a ping read from the wrong loop)."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.live.channels import lot_channel
from tests.conftest import OrgFactory
from tests.support.lots import live_lot


async def _subscribed(redis: Redis, channel: str) -> PubSub:
    """A subscription to one lot's channel, returned once Redis has confirmed it."""
    pubsub = redis.pubsub()
    await pubsub.subscribe(channel)
    async with asyncio.timeout(5):
        while (await pubsub.get_message(timeout=1.0) or {}).get("type") != "subscribe":
            pass
    return pubsub


async def _counts_until(pubsub: PubSub, final: int) -> list[int]:
    counts: list[int] = []
    async with asyncio.timeout(5):
        async for message in pubsub.listen():
            if message["type"] != "message":
                continue
            event: dict[str, Any] = msgspec.json.decode(message["data"])
            assert set(event) == {"id", "event", "data"}  # the id: resume with Last-Event-ID
            assert event["event"] == "bids"
            assert set(event["data"]) == {"count", "version"}  # the count only: no amount, no bidder
            counts.append(event["data"]["count"])
            if counts[-1] == final:
                return counts
    raise AssertionError("unreachable")


async def test_bids_on_two_lots_are_counted_live_on_each_lots_own_channel(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, redis_url: str
) -> None:
    seller = await make_org("seller")
    buyers = [await make_org("buyer") for _ in range(3)]
    busy = await live_lot(db, seller)
    quiet = await live_lot(db, seller)
    # A Redis client of the test's own: the app's channels plugin lives in the test client's event loop.
    redis = Redis.from_url(redis_url)
    busy_events = await _subscribed(redis, lot_channel(busy))
    quiet_events = await _subscribed(redis, lot_channel(quiet))
    try:
        for index, buyer in enumerate(buyers):
            placed = await client.post(f"/api/lots/{busy}/bids", json={"amount": f"90{index}"}, headers=buyer.headers)
            assert placed.status_code == 201
        revised = await client.post(f"/api/lots/{busy}/bids", json={"amount": "999"}, headers=buyers[0].headers)
        assert revised.status_code == 201  # a revision is not a new bid
        placed = await client.post(f"/api/lots/{quiet}/bids", json={"amount": "500"}, headers=buyers[0].headers)
        assert placed.status_code == 201

        busy_counts = await _counts_until(busy_events, 3)
        quiet_counts = await _counts_until(quiet_events, 1)
    finally:
        await busy_events.aclose()
        await quiet_events.aclose()
        await redis.aclose()

    assert busy_counts == sorted(busy_counts)
    assert set(busy_counts) <= {1, 2, 3}
    assert quiet_counts == [1]
