from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from exchange.auctions.models import Bid, BidRevision
from exchange.orders.models import Order
from tests.conftest import Actor
from tests.support.auctions import closing_lot, opening_report_when_closed
from tests.support.buyers import many_buyers
from tests.support.stack import AppStack, Stack, private_stack

BUYERS = 12
STEPS = 15
REDIS_BACK_WITHIN = 60.0
"""Seconds a bid keeps being retried through the outage: only a Redis that never comes back takes this long."""


def _crash_redis(stack: Stack, *, keep_data: bool) -> None:
    server = stack.redis_server
    process = server._process
    assert process is not None
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=5)
    if not keep_data:  # a replacement server that knows nothing
        for leftover in server.directory.glob("*.aof*"):
            leftover.unlink()
        with contextlib.suppress(FileNotFoundError):
            server.socket_path.unlink()
    time.sleep(0.3)  # bids keep arriving while Redis is gone
    server.ensure_running()


def bidding_run(
    stack: AppStack, lot_id: int, buyers: list[Actor], crash: Any
) -> tuple[dict[int, list[Any]], Counter[int]]:
    """Each buyer raises its bid STEPS times (retrying 503s with the same Idempotency-Key); Redis
    crashes once about a third of the way through."""
    transport: Any = stack.client._transport
    base = str(stack.client.base_url).rstrip("/")
    acknowledged: dict[int, list[Any]] = defaultdict(list)
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def bidder(index: int, buyer: Actor) -> None:
        for step in range(STEPS):
            amount = 10_000 + step * 100 + index  # every amount differs: the winner is unambiguous
            headers = {**buyer.headers, "Idempotency-Key": f"run-{buyer.org_id}-{step}"}
            give_up = time.monotonic() + REDIS_BACK_WITHIN
            while True:
                request = httpx.Request(
                    "POST", f"{base}/api/lots/{lot_id}/bids", headers=headers, json={"amount": f"{amount}.00"}
                )
                response = transport.handle_request(request)
                response.read()
                with lock:
                    statuses[response.status_code] += 1
                if response.status_code == 201:
                    with lock:
                        acknowledged[buyer.org_id or 0].append(response.json())
                    break
                if response.status_code == 409:
                    return
                assert response.status_code == 503, response.text
                assert response.headers.get("retry-after")
                assert time.monotonic() < give_up, "Redis never came back"
                time.sleep(0.02)

    with ThreadPoolExecutor(max_workers=len(buyers)) as pool:
        futures = [pool.submit(bidder, index, buyer) for index, buyer in enumerate(buyers)]
        while sum(len(v) for v in list(acknowledged.values())) < BUYERS * STEPS // 3:
            if any(future.done() for future in futures):
                break  # a bidder stopped early: its exception is raised below
            time.sleep(0.005)
        crash()
        for future in futures:
            future.result()
    return acknowledged, statuses


@pytest.mark.parametrize(
    "keep_data", [True, False], ids=["restarted-from-its-append-only-file", "replaced-by-an-empty-server"]
)
async def test_every_acknowledged_bid_survives_redis_being_killed_mid_run_and_the_award_is_right(
    keep_data: bool,
) -> None:
    async with private_stack(scheduler=True) as stack:
        seller = await stack.make_org("seller")
        buyers = await many_buyers(stack.db, stack.settings, BUYERS)
        lot_id = await closing_lot(stack.db, seller)

        acknowledged, statuses = await asyncio.to_thread(
            bidding_run, stack, lot_id, buyers, lambda: _crash_redis(stack, keep_data=keep_data)
        )

        assert set(statuses) <= {201, 503}, statuses
        assert statuses[503] > 0, "the run should have hit the outage"
        async with stack.db() as session:
            revisions = {
                (row.bidder_org_id, row.revision): row
                for row in await session.scalars(select(BidRevision).where(BidRevision.lot_id == lot_id))
            }
            current = {row.bidder_org_id: row for row in await session.scalars(select(Bid).where(Bid.lot_id == lot_id))}
        for org_id, receipts in acknowledged.items():
            for receipt in receipts:
                stored = revisions[(org_id, receipt["revision"])]
                assert stored.receipt == receipt["receipt"]
            assert current[org_id].receipt == receipts[-1]["receipt"]  # the last acknowledged is the current bid

        opening = await opening_report_when_closed(stack.client, stack.db, lot_id, seller)
        finals = {org_id: receipts[-1] for org_id, receipts in acknowledged.items()}
        best_org, best = max(finals.items(), key=lambda item: int(item[1]["amount"].replace(".", "")))
        assert opening["status"] == "awarded"
        assert opening["winner"]["bidder"]["org_id"] == best_org
        assert opening["winner"]["receipt"] == best["receipt"]
        assert {entry["receipt"] for entry in opening["bids"]} == {r["receipt"] for r in finals.values()}
        async with stack.db() as session:
            order = await session.scalar(select(Order).where(Order.lot_id == lot_id))
        assert order is not None
        assert order.buyer_org_id == best_org
