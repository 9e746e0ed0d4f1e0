"""Each lot's live channel (what its page's SSE stream relays) hears that lot's public bid count."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from litestar import Litestar
from litestar.channels import ChannelsPlugin, Subscriber
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.live.channels import lot_channel
from tests.conftest import OrgFactory
from tests.support.lots import insert_live_lot


async def _counts_until(subscriber: Subscriber, final: int) -> list[int]:
    counts: list[int] = []
    async with asyncio.timeout(5):
        async for raw in subscriber.iter_events():
            event: dict[str, Any] = msgspec.json.decode(raw)
            assert set(event) == {"event", "data"}
            assert event["event"] == "bids"
            assert set(event["data"]) == {"count"}  # the count only: no amount, no bidder
            counts.append(event["data"]["count"])
            if counts[-1] == final:
                return counts
    raise AssertionError("unreachable")


async def test_bids_on_two_lots_are_counted_live_on_each_lots_own_channel(
    app: Litestar, client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    buyers = [await make_org("buyer") for _ in range(3)]
    busy = await insert_live_lot(db, seller.org_id or 0)
    quiet = await insert_live_lot(db, seller.org_id or 0)
    channels: ChannelsPlugin = app.state.channels

    async with (
        channels.start_subscription([lot_channel(busy)]) as busy_events,
        channels.start_subscription([lot_channel(quiet)]) as quiet_events,
    ):
        await asyncio.sleep(0.3)  # the backend's SUBSCRIBE is on its way to Redis
        for index, buyer in enumerate(buyers):
            placed = await client.post(f"/api/lots/{busy}/bids", json={"amount": f"90{index}"}, headers=buyer.headers)
            assert placed.status_code == 201
        revised = await client.post(f"/api/lots/{busy}/bids", json={"amount": "999"}, headers=buyers[0].headers)
        assert revised.status_code == 201  # a revision is not a new bid
        placed = await client.post(f"/api/lots/{quiet}/bids", json={"amount": "500"}, headers=buyers[0].headers)
        assert placed.status_code == 201

        busy_counts = await _counts_until(busy_events, 3)
        quiet_counts = await _counts_until(quiet_events, 1)

    assert busy_counts == sorted(busy_counts)
    assert set(busy_counts) <= {1, 2, 3}
    assert quiet_counts == [1]
