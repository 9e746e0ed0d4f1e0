"""The machine crashes and the embedded Redis comes back from an append-only file without its last
writes (`appendfsync no`): the engine must not carry on from that older copy of a lot."""

from __future__ import annotations

import os
import signal

from sqlalchemy import select

from exchange.auctions.models import Bid
from tests.support.lots import live_lot
from tests.support.stack import private_stack
from tests.support.waiting import eventually


async def test_after_a_restart_that_lost_the_last_writes_a_new_bid_ranks_after_every_acknowledged_one() -> None:
    async with private_stack(scheduler=False) as stack:
        seller = await stack.make_org("seller")
        first, second, third, late = [await stack.make_org("buyer") for _ in range(4)]
        lot_id = await live_lot(stack.db, seller)
        url = f"/api/lots/{lot_id}/bids"
        assert (await stack.client.post(url, json={"amount": "50"}, headers=first.headers)).status_code == 201
        server = stack.redis_server
        aof = server.directory / "exchange.aof"
        kept = aof.stat().st_size  # what the crash will leave of the file
        for buyer in (second, third):
            assert (await stack.client.post(url, json={"amount": "100"}, headers=buyer.headers)).status_code == 201
        assert aof.stat().st_size > kept

        # The machine goes down: redis-server dies, and the file's last writes never reached the disk.
        assert server._process is not None
        os.kill(server._process.pid, signal.SIGKILL)
        server._process.wait(timeout=5)
        os.truncate(aof, kept)
        server.ensure_running()

        async def placed() -> int | None:
            answer = await stack.client.post(url, json={"amount": "100"}, headers=late.headers)
            return answer.status_code if answer.status_code != 503 else None  # the client reconnects

        assert await eventually(placed, within=60) == 201  # bounded: only a Redis that never answers takes this long
        async with stack.db() as session:
            ranks = {
                row.bidder_org_id: row.rank_seq
                for row in await session.scalars(select(Bid).where(Bid.lot_id == lot_id))
            }
        # Same amount: the earlier acknowledged bids must win the tie against the late one.
        assert ranks[late.org_id or 0] > max(ranks[second.org_id or 0], ranks[third.org_id or 0])
        lot = await stack.client.get(f"/api/lots/{lot_id}", headers=first.headers)
        assert lot.json()["bid_count"] == 4
