"""Two `exchange serve` processes on one database and one Redis, as on two hosts behind a load balancer;
the same organisations bid through both at once on overlapping lots for a few seconds.

- Each process's bid journal commits its own batches, so two batches holding the same (lot, bidder) rows in
  opposite orders would deadlock in PostgreSQL (a 503 `database_unavailable` for the bids of the batch
  PostgreSQL picks as the victim). Nothing may answer 5xx, and every acknowledged bid is in the database.
- Both processes publish the lot's live bid count; a follower of the lot's events (on one of them) never
  gets an older count after a newer one, and ends with the final count."""

from __future__ import annotations

import asyncio
import os
import random
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from exchange.auctions.models import BidRevision
from exchange.db.engine import make_engine, make_session_maker
from exchange.settings import Settings
from tests.conftest import TEST_BIDDING_WINDOW, Actor
from tests.support.buyers import many_buyers, registered_orgs
from tests.support.databases import fresh_database_url
from tests.support.lots import live_lot
from tests.support.servers import free_port, start_server, stop_server
from tests.support.sse import Event, follow

BUYERS = 12
LOTS = 2  # every buyer bids on both lots: each batch holds both rows of many buyers, in arrival order
IN_FLIGHT = 8  # requests each buyer has open at once, spread over both servers
RUN_SECONDS = 4.0


def _server_env(data_dir: Path, database_url: str, redis_url: str, secret: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")},
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PORT": str(free_port()),
        "WORKERS": "1",
        "SECRET_KEY": secret,
        "AUTH_RATE_LIMIT": "100000",
        "PASSWORD_HASHING": "fast",
        "MIN_BIDDING_WINDOW": str(int(TEST_BIDDING_WINDOW.total_seconds())),
    }


@pytest.fixture(scope="module")
def two_servers(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[str], Settings]]:
    """Two servers (one worker each) sharing a fresh database of their own and the session's Redis: on
    PostgreSQL when the suite has one (TEST_DATABASE_URL), else SQLite (once: two servers take a while)."""
    backend = "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"
    tmp_path = tmp_path_factory.mktemp("two-servers")
    database_url = fresh_database_url(backend, tmp_path / "db", suffix="workers")
    secret = "workers-" + uuid.uuid4().hex
    started = []
    try:
        for name in ("a", "b"):
            env = _server_env(tmp_path / name, database_url, redis_url, secret)
            started.append(start_server(env, "--no-migrate", log=tmp_path / f"serve-{name}.log"))
        settings = Settings.from_env(_server_env(tmp_path / "a", database_url, redis_url, secret)).prepared()
        yield [base for _process, base in started], settings
    finally:
        for process, _base in started:
            stop_server(process, timeout=30)


async def _bid_until(
    deadline: float, clients: list[httpx.AsyncClient], buyer: Actor, lots: list[int], seen: Any
) -> None:
    """One of a buyer's request streams: raise its bid on a random lot through a random server, again and again."""
    rng = random.Random()
    while time.monotonic() < deadline:
        lot_id = rng.choice(lots)
        amount = f"{rng.randrange(10_000, 90_000)}.00"
        answer = await rng.choice(clients).post(
            f"/api/lots/{lot_id}/bids", json={"amount": amount}, headers=buyer.headers
        )
        seen["statuses"][answer.status_code] += 1
        if answer.status_code == 201:
            seen["acknowledged"].append((lot_id, buyer.org_id, answer.json()))


async def _bidding_run(bases: list[str], buyers: list[Actor], lots: list[int], seconds: float) -> dict[str, Any]:
    """Every buyer bids through both servers with IN_FLIGHT requests open for `seconds`: what they saw."""
    seen: dict[str, Any] = {"statuses": Counter(), "acknowledged": []}
    limits = httpx.Limits(max_connections=len(buyers) * IN_FLIGHT)
    clients = [httpx.AsyncClient(base_url=base, timeout=30, limits=limits) for base in bases]
    try:
        deadline = time.monotonic() + seconds
        await asyncio.gather(
            *(_bid_until(deadline, clients, buyer, lots, seen) for buyer in buyers for _ in range(IN_FLIGHT))
        )
    finally:
        for client in clients:
            await client.aclose()
    return seen


async def _bidders_and_lots(settings: Settings, db: Any, buyers: int, lots: int) -> tuple[list[Actor], list[int]]:
    (seller,) = await registered_orgs(db, settings.secret_key, "seller", 1)
    closes_at = datetime.now(UTC) + timedelta(hours=1)
    return await many_buyers(db, settings, buyers), [
        await live_lot(db, seller, closes_at=closes_at) for _ in range(lots)
    ]


async def test_two_servers_on_one_database_never_deadlock_and_keep_every_acknowledged_bid(
    two_servers: tuple[list[str], Settings],
) -> None:
    bases, settings = two_servers
    engine = make_engine(settings.database)
    db = make_session_maker(engine)
    buyers, lots = await _bidders_and_lots(settings, db, BUYERS, LOTS)
    seen = await _bidding_run(bases, buyers, lots, RUN_SECONDS)

    assert set(seen["statuses"]) == {201}, seen["statuses"]  # no 503 database_unavailable, no 500
    assert len(seen["acknowledged"]) > BUYERS * LOTS, "too few bids to put two servers' batches side by side"
    async with db() as session:
        stored = {
            (row.lot_id, row.bidder_org_id, row.revision): row.receipt
            for row in await session.scalars(select(BidRevision).where(BidRevision.lot_id.in_(lots)))
        }
    missing = [
        (lot_id, org_id, bid["revision"])
        for lot_id, org_id, bid in seen["acknowledged"]
        if stored.get((lot_id, org_id, bid["revision"])) != bid["receipt"]
    ]
    assert missing == []
    await engine.dispose()


async def test_a_lots_live_bid_count_published_by_two_servers_never_goes_back(
    two_servers: tuple[list[str], Settings],
) -> None:
    bases, settings = two_servers
    engine = make_engine(settings.database)
    buyers, (lot_id,) = await _bidders_and_lots(settings, make_session_maker(engine), BUYERS, 1)
    await engine.dispose()
    clients = [httpx.AsyncClient(base_url=base, timeout=30) for base in bases]
    # One bid after another, through the two servers in turn: each server publishes the count of its newest
    # bid a fraction of a second later, on its own clock, so their events reach Redis in either order.
    turns = [(buyer, clients[index % 2]) for index, buyer in enumerate(buyers * 2)]
    with follow(httpx.Client(base_url=bases[0]), f"/events/lots/{lot_id}") as events:
        try:
            for turn, (buyer, client) in enumerate(turns, start=1):
                answer = await client.post(
                    f"/api/lots/{lot_id}/bids", json={"amount": f"{1000 + turn}.00"}, headers=buyer.headers
                )
                assert answer.status_code == 201, answer.text
        finally:
            for client in clients:
                await client.aclose()
        # Each bid took the next number of the lot's sequence: the last one's event has version len(turns).
        counts: list[Event] = []
        while not counts or counts[-1].data["version"] < len(turns):
            event = events.get(timeout=10)
            if event.name == "bids":
                counts.append(event)

    versions = [event.data["version"] for event in counts]
    assert versions == sorted(set(versions)), versions  # each newer than the one before
    assert [event.data["count"] for event in counts] == sorted(event.data["count"] for event in counts)
    assert counts[-1].data == {"count": BUYERS, "version": len(turns)}
