"""The exchange on a real 3-master Redis Cluster (REDIS_URL=redis+cluster://...): sessions, pages, bids,
a master killed and restarted mid-run, and /health naming a master that is down. No MOVED or CROSSSLOT
error reaches anyone: the cluster's own error counters stay at zero, and no answer is a 5xx."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from redis.asyncio import Redis, RedisCluster
from sqlalchemy import select

from exchange.auctions.closing import close_lot
from exchange.auctions.engine import BidEngine
from exchange.auctions.models import Bid, BidRevision
from exchange.auctions.receipts import parse_micros
from exchange.auctions.scripts import LotKeys
from exchange.live.channels import lot_channel
from exchange.live.replay import log_key
from exchange.orders.models import Order
from exchange.redis.connection import close_redis, make_redis
from exchange.redis.local_cluster import LocalCluster
from exchange.redis.routing import send_commands
from tests.integration.auctions.test_redis_crash import BUYERS, bidding_run
from tests.support.auctions import CLOSE_WITHIN, close_now, closing_lot, opening_report_when_closed
from tests.support.buyers import many_buyers
from tests.support.lots import live_lot
from tests.support.stack import AppStack, stack_on_redis
from tests.support.waiting import eventually


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    local = LocalCluster().start()
    yield local
    local.stop()


@pytest.fixture
async def stack(cluster: LocalCluster) -> AsyncIterator[AppStack]:
    async with stack_on_redis(cluster.url, scheduler=True) as app_stack:
        yield app_stack


def _redirections(cluster: LocalCluster) -> dict[str, int]:
    counts = cluster.error_counts()
    return {kind: counts.get(kind, 0) for kind in ("MOVED", "ASK", "CROSSSLOT")}


async def test_logins_lot_pages_and_bids_on_every_master_work_without_a_redirection(
    cluster: LocalCluster, stack: AppStack
) -> None:
    before = _redirections(cluster)
    seller = await stack.make_org("seller")
    buyer = await stack.make_org("buyer")
    lots = [await live_lot(stack.db, seller) for _ in range(9)]
    space = await stack.client.app.state.runtime.bid_engine.space()
    assert len({cluster.master_of(LotKeys(lot_id, space).state) for lot_id in lots}) == 3, "lots on every master"

    logins = [await stack.client.get("/login") for _ in range(12)]  # each a new session in Redis
    pages = [await stack.client.get(f"/lots/{lot_id}", headers=buyer.headers) for lot_id in lots]
    bids = [
        await stack.client.post(f"/api/lots/{lot_id}/bids", headers=buyer.headers, json={"amount": "900.00"})
        for lot_id in lots
    ]
    health = await stack.client.get("/health")

    assert [response.status_code for response in logins] == [200] * 12
    assert [response.status_code for response in pages] == [200] * 9
    assert [response.status_code for response in bids] == [201] * 9, [b.text for b in bids]
    assert health.status_code == 200
    assert health.json()["redis_mode"] == "cluster"
    assert _redirections(cluster) == before


async def test_a_bid_count_published_on_the_lots_master_is_heard_through_another_master(
    cluster: LocalCluster, stack: AppStack
) -> None:
    seller, buyer = await stack.make_org("seller"), await stack.make_org("buyer")
    lot_id = await live_lot(stack.db, seller)
    publisher = cluster.master_of(log_key(lot_channel(lot_id)))
    listener = Redis(port=next(port for port in cluster.ports if port != publisher))
    pubsub = listener.pubsub()
    try:
        await pubsub.subscribe(lot_channel(lot_id))
        async with asyncio.timeout(30):  # subscribed before the bid
            while (await pubsub.get_message(timeout=1.0) or {}).get("type") != "subscribe":
                pass
        bid = await stack.client.post(f"/api/lots/{lot_id}/bids", headers=buyer.headers, json={"amount": "900.00"})
        assert bid.status_code == 201

        async def heard() -> Any:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            return msgspec.json.decode(message["data"]) if message else None

        event = await eventually(heard, within=CLOSE_WITHIN)
        assert (event["event"], event["data"]["count"]) == ("bids", 1)
    finally:
        await pubsub.aclose()
        await listener.aclose()


async def test_every_acknowledged_bid_survives_its_master_being_killed_and_restarted_empty(
    cluster: LocalCluster, stack: AppStack
) -> None:
    seller = await stack.make_org("seller")
    buyers = await many_buyers(stack.db, stack.settings, BUYERS)
    lot_id = await closing_lot(stack.db, seller)
    space = await stack.client.app.state.runtime.bid_engine.space()
    master = cluster.master_of(LotKeys(lot_id, space).state)

    def crash() -> None:
        cluster.kill(master)  # bids keep arriving while the lot's master is gone
        cluster.restart(master)  # same slots, no data: the lot is rebuilt from SQL

    acknowledged, statuses = await asyncio.to_thread(bidding_run, stack, lot_id, buyers, crash)

    assert set(statuses) <= {201, 503}, statuses
    async with stack.db() as session:
        revisions = {
            (row.bidder_org_id, row.revision): row.receipt
            for row in await session.scalars(select(BidRevision).where(BidRevision.lot_id == lot_id))
        }
        current = {row.bidder_org_id: row for row in await session.scalars(select(Bid).where(Bid.lot_id == lot_id))}
    for org_id, receipts in acknowledged.items():
        assert all(revisions[(org_id, receipt["revision"])] == receipt["receipt"] for receipt in receipts)
        assert current[org_id].receipt == receipts[-1]["receipt"]

    opening = await opening_report_when_closed(stack.client, stack.db, lot_id, seller)
    finals = {org_id: receipts[-1] for org_id, receipts in acknowledged.items()}
    best_org = max(finals, key=lambda org: int(finals[org]["amount"].replace(".", "")))
    assert opening["status"] == "awarded"
    assert opening["winner"]["bidder"]["org_id"] == best_org
    assert {entry["receipt"] for entry in opening["bids"]} == {r["receipt"] for r in finals.values()}


async def test_closers_of_two_processes_racing_on_the_cluster_award_the_lot_once(cluster: LocalCluster) -> None:
    async with stack_on_redis(cluster.url, scheduler=False) as stack:
        seller, buyer = await stack.make_org("seller"), await stack.make_org("buyer")
        lot_id = await closing_lot(stack.db, seller)
        placed = await stack.client.post(f"/api/lots/{lot_id}/bids", json={"amount": "500"}, headers=buyer.headers)
        assert placed.status_code == 201
        await close_now(stack.db, stack.settings, lot_id)

        async def due() -> bool | None:
            return (
                True if str(lot_id) in map(str, await engines[0].due_lot_ids(parse_micros(datetime.now(UTC)))) else None
            )

        engines = [BidEngine(make_redis(cluster.url), stack.db) for _ in range(2)]
        try:
            await eventually(due, within=CLOSE_WITHIN)  # the sharded schedule has it
            results = await asyncio.gather(*(close_lot(engine, lot_id) for engine in engines))
        finally:
            for engine in engines:
                await close_redis(engine.redis)

        assert sum(result is not None for result in results) == 1
        async with stack.db() as session:
            orders = (await session.scalars(select(Order).where(Order.lot_id == lot_id))).all()
        assert [(order.buyer_org_id, order.amount_minor) for order in orders] == [(buyer.org_id, 500_00)]


async def test_health_names_redis_while_a_master_is_down_and_recovers_when_it_is_back(
    cluster: LocalCluster, stack: AppStack
) -> None:
    master = cluster.ports[-1]
    cluster.kill(master)
    try:

        async def degraded() -> Any:
            answer = await stack.client.get("/health")
            return answer if answer.status_code == 503 else None

        answer = await eventually(degraded, within=10)
        assert answer.json()["down"] == ["redis"]
        assert answer.json()["database"] == "up"
        assert f":{master}" in answer.json()["problems"][0]
    finally:
        await asyncio.to_thread(cluster.restart, master)

    async def healthy() -> Any:
        answer = await stack.client.get("/health")
        return answer if answer.status_code == 200 else None

    assert (await eventually(healthy, within=CLOSE_WITHIN)).json()["down"] == []


async def test_commands_sent_to_a_master_that_no_longer_holds_their_slot_are_answered_not_redirected(
    cluster: LocalCluster,
) -> None:
    client = make_redis(cluster.url)
    assert isinstance(client, RedisCluster)
    try:
        await client.initialize()
        keys = [f"routing:{{{index}}}" for index in range(12)]
        # The client's map of slots goes stale (as after a resharding): every slot "moved" to one master.
        stale = client.get_primaries()[0]
        for key in keys:
            client.nodes_manager.slots_cache[client.keyslot(key)] = [stale]

        written = await send_commands(client, [("SET", key, index) for index, key in enumerate(keys)], keys)
        read = await send_commands(client, [("GET", key) for key in keys], keys)

        assert written == [True] * 12
        assert read == [str(index).encode() for index in range(12)]
    finally:
        await close_redis(client)
