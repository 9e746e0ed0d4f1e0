"""Chaos against a real `exchange serve`: a worker and the embedded redis-server are killed in the middle of
a bounded bidding run. The service comes back by itself, nothing answers 500, every 503 says when to
retry, every acknowledged bid is kept, and each lot is awarded to its highest acknowledged bid."""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from exchange.auctions.models import BidRevision
from exchange.db.engine import make_engine, make_session_maker
from exchange.settings import Settings
from tests.conftest import TEST_BIDDING_WINDOW, Actor
from tests.support.auctions import CLOSE_WITHIN, close_now, closing_lot
from tests.support.buyers import many_buyers, registered_orgs
from tests.support.servers import child_pids, cmdline, ended, free_port, run_exchange, start_server, stop_server

BUYERS = 6
LOTS = 3
STEPS = 50  # bids per buyer: 300 in all, spread over the lots
GIVE_UP_SECONDS = 60.0
"""How long a recovery (or one bid's retries) may take before the test calls it a hang: the service must come
back by itself, however loaded the machine; how fast it does is for a benchmark, not this test."""


@dataclass
class Run:
    """What the bidders saw: every answer's status, every acknowledged bid, the 503s without Retry-After."""

    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: int = 0
    acknowledged: dict[tuple[int, int], list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    missing_retry_after: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        with self.lock:
            return sum(len(receipts) for receipts in self.acknowledged.values())


@dataclass
class Server:
    process: Any
    base: str
    data_dir: Path
    settings: Settings


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")},
        "DATA_DIR": str(tmp_path),
        "PORT": str(free_port()),
        "WORKERS": "1",  # killing the only worker: nothing answers until its replacement does
        "SECRET_KEY": "chaos-" + uuid.uuid4().hex,
        "AUTH_RATE_LIMIT": "10000",
        "PASSWORD_HASHING": "fast",
        "MIN_BIDDING_WINDOW": str(int(TEST_BIDDING_WINDOW.total_seconds())),  # as the lots are published
    }
    run_exchange("migrate", env=env)
    process, base = start_server(env, "--no-migrate", log=tmp_path / "serve.log")
    try:
        yield Server(process, base, tmp_path, Settings.from_env(env).prepared())
    finally:
        stop_server(process, timeout=30)


def _worker_and_its_journal_writer(serve_pid: int) -> tuple[int, int]:
    for worker in child_pids(serve_pid):
        for child in child_pids(worker):
            if "exchange.auctions.sqlite_journal" in cmdline(child):
                return worker, child
    raise AssertionError("no worker with a journal writer under `exchange serve`")


def _healthy(base: str) -> bool:
    """Whether /health says the database and Redis are up."""
    try:
        return httpx.get(f"{base}/health", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def _bidder(base: str, lots: list[int], index: int, buyer: Actor, run: Run) -> None:
    """Raises its bid on each lot in turn, each bid retried with its Idempotency-Key until acknowledged
    (through 503s and dropped connections); a 409 means the lot has closed."""
    closed: set[int] = set()
    with httpx.Client(base_url=base, headers=buyer.headers, timeout=GIVE_UP_SECONDS) as client:
        for step in range(STEPS):
            lot_id = lots[step % len(lots)]
            if lot_id in closed:
                continue
            amount = f"{10_000 + step * 100 + index}.00"  # every amount differs: each winner is unambiguous
            key = f"chaos-{buyer.org_id}-{step}"
            give_up = time.monotonic() + GIVE_UP_SECONDS
            while time.monotonic() < give_up:
                try:
                    answer = client.post(
                        f"/api/lots/{lot_id}/bids", json={"amount": amount}, headers={"Idempotency-Key": key}
                    )
                except httpx.TransportError:  # the worker died under this request
                    with run.lock:
                        run.transport_errors += 1
                    time.sleep(0.05)
                    continue
                with run.lock:
                    run.statuses[answer.status_code] += 1
                    if answer.status_code == 503 and not answer.headers.get("retry-after"):
                        run.missing_retry_after += 1
                    if answer.status_code == 201:
                        run.acknowledged[(lot_id, buyer.org_id or 0)].append(answer.json())
                if answer.status_code == 409:
                    closed.add(lot_id)
                if answer.status_code in (201, 409):
                    break
                if answer.status_code != 503:
                    return  # an unexpected answer: counted, and the test fails on it
                time.sleep(0.05)
            else:
                raise AssertionError(f"a bid on lot {lot_id} was not answered within {GIVE_UP_SECONDS} s")


def _when(run: Run, acknowledged: int, futures: list[Any]) -> None:
    while run.count() < acknowledged and not any(future.done() for future in futures):
        time.sleep(0.01)


def _kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


async def test_a_worker_and_redis_killed_mid_bidding_the_service_heals_and_every_acknowledged_bid_counts(
    server: Server,
) -> None:
    engine = make_engine(server.settings.database)
    db = make_session_maker(engine)
    (seller,) = await registered_orgs(db, server.settings.secret_key, "seller", 1)
    buyers = await many_buyers(db, server.settings, BUYERS)
    lots = [await closing_lot(db, seller) for _ in range(LOTS)]  # open until the run is over
    run = Run()
    faults: dict[str, Any] = {}

    def chaos(futures: list[Any]) -> None:
        _when(run, BUYERS * STEPS // 3, futures)
        worker, writer = _worker_and_its_journal_writer(server.process.pid)
        _kill(worker)
        faults["worker back"] = _eventually(lambda: _healthy(server.base))
        faults["writer ended"] = _eventually(lambda: ended(writer))
        faults["new worker"] = _worker_and_its_journal_writer(server.process.pid)[0] != worker

        _when(run, 2 * BUYERS * STEPS // 3, futures)
        redis_pid = int((server.data_dir / "redis" / "redis.pid").read_text())
        _kill(redis_pid)
        faults["redis back"] = _eventually(lambda: _healthy(server.base))
        faults["redis reaped"] = _eventually(lambda: not Path(f"/proc/{redis_pid}").exists())

    with ThreadPoolExecutor(max_workers=BUYERS + 1) as pool:
        futures = [pool.submit(_bidder, server.base, lots, index, buyer, run) for index, buyer in enumerate(buyers)]
        fault_run = pool.submit(chaos, futures)
        for future in [*futures, fault_run]:
            future.result()
    assert faults["worker back"], "no worker answered again after the worker was killed"
    assert faults["new worker"]
    assert faults["writer ended"], "the killed worker's journal writer process is still running"
    assert faults["redis back"], "the service did not answer again after redis-server was killed"
    assert faults["redis reaped"], "the killed redis-server was left a defunct child"
    assert set(run.statuses) <= {201, 503}, run.statuses  # no 500 (and no 409: the lots are open)
    assert run.missing_retry_after == 0
    assert run.count() == BUYERS * STEPS

    async with db() as session:
        stored = {
            (row.lot_id, row.bidder_org_id, row.revision): row.receipt
            for row in await session.scalars(select(BidRevision).where(BidRevision.lot_id.in_(lots)))
        }
    for (lot_id, org_id), receipts in run.acknowledged.items():
        for receipt in receipts:
            assert stored.get((lot_id, org_id, receipt["revision"])) == receipt["receipt"]

    for lot_id in lots:
        await close_now(db, server.settings, lot_id)
    with httpx.Client(base_url=server.base, headers=seller.headers, timeout=10) as client:
        for lot_id in lots:
            report = _eventually_json(client, f"/api/lots/{lot_id}/bids", within=CLOSE_WITHIN)
            finals = {org: receipts[-1] for (lot, org), receipts in run.acknowledged.items() if lot == lot_id}
            best_org, best = max(finals.items(), key=lambda item: int(item[1]["amount"].replace(".", "")))
            assert report["status"] == "awarded"
            assert report["winner"]["bidder"]["org_id"] == best_org
            assert report["winner"]["receipt"] == best["receipt"]
            assert {bid["receipt"] for bid in report["bids"]} == {r["receipt"] for r in finals.values()}
    await engine.dispose()


def _eventually(condition: Callable[[], bool], within: float = GIVE_UP_SECONDS) -> bool:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _eventually_json(client: httpx.Client, path: str, *, within: float) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        answer = client.get(path)
        if answer.status_code == 200:
            return dict(answer.json())
        time.sleep(0.2)
    raise AssertionError(f"{path} did not answer 200 within {within} s")
