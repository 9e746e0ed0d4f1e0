"""`scripts/bench bids --cluster`: HTTP bid throughput of one worker on a 3-master Redis Cluster, next to the
same worker on a single Redis (the embedded server's settings, on its unix socket).

Two exchange servers, one granian worker each, each with its own SQLite database seeded alike (same
bidders, same lots): one with REDIS_URL naming the single server, one naming the cluster. Closed loop,
alternating rounds (both servers up, so both see the same background load), the median round by ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks._phases import ROUNDS
from benchmarks._setup import PYTHON, Server, free_port, make_bidders, make_lots, make_orgs

__all__ = ["CLUSTER_TARGET", "run_cluster"]

CLUSTER_TARGET = 0.80
"""Bids/s on the cluster as a share of bids/s on a single Redis."""


def _say(message: str) -> None:
    print(message, flush=True)


async def _seeded(data_dir: Path, args: argparse.Namespace) -> tuple[list[int], list[Any]]:
    """A migrated SQLite database under `data_dir` with the bench's seller, bidders and lots."""
    from exchange.db.engine import make_engine, make_session_maker
    from exchange.db.migrate import upgrade_database
    from exchange.settings import Settings

    settings = Settings.from_env({"DATA_DIR": str(data_dir)}).prepared()
    await asyncio.to_thread(upgrade_database, settings.database.url)
    engine = make_engine(settings.database)
    try:
        session_maker = make_session_maker(engine)
        (seller,) = await make_orgs(session_maker, "seller", 1, "Bench seller")
        bidders = await make_bidders(session_maker, settings.secret_key, args.bidders)
        lots = await make_lots(session_maker, seller, args.lots, closes_in=timedelta(days=1))
    finally:
        await engine.dispose()
    return lots, bidders


async def run_cluster(args: argparse.Namespace) -> int:
    from benchmarks.bids import _bid_requests, _http_rounds
    from exchange.redis.embedded import EmbeddedRedis
    from exchange.redis.local_cluster import LocalCluster

    root = Path(tempfile.mkdtemp(prefix="sx-bench-cluster-"))
    single = EmbeddedRedis(root / "single-redis")
    cluster = LocalCluster()
    servers: list[Server] = []
    try:
        _say(
            f"Bid engine on a Redis Cluster — {platform.node()}, {len(os.sched_getaffinity(0))} cores, "
            f"load average {os.getloadavg()[0]:.2f}, Python {platform.python_version()}; data in {root}"
        )
        single.ensure_running()
        await asyncio.to_thread(cluster.start)
        targets = {}
        for name, redis_url in (("single", single.url), ("cluster", cluster.url)):
            data_dir = root / name
            lots, bidders = await _seeded(data_dir, args)
            port = free_port()
            server = Server(
                [PYTHON, "-m", "exchange.cli", "serve", "--no-migrate"],
                {"DATA_DIR": str(data_dir), "REDIS_URL": redis_url, "PORT": str(port), "WORKERS": "1",
                 "SCHEDULER": "off"},
                port,
                root / f"{name}.log",
            )  # fmt: skip
            servers.append(server)
            targets[name] = (port, _bid_requests(lots, bidders))
        for server in servers:
            await asyncio.to_thread(server.wait_ready, "/health")
        _say(
            f"\nHTTP, closed loop, {args.connections} connections, {args.http_seconds:.0f} s per server in "
            f"{ROUNDS} alternating rounds: single Redis, then the 3-master cluster…"
        )
        (single_port, make_single), (cluster_port, make_cluster) = targets["single"], targets["cluster"]
        on_single, on_cluster, ratios = await _http_rounds(single_port, cluster_port, make_cluster, make_single, args)
        redirections = {kind: cluster.error_counts().get(kind, 0) for kind in ("MOVED", "ASK", "CROSSSLOT")}
    finally:
        for server in servers:
            server.stop()
        cluster.stop()
        single.stop()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    ratio = on_cluster.rate / on_single.rate
    good = ratio >= CLUSTER_TARGET and on_cluster.failed == 0 and not any(redirections.values())
    _say("\n=== Results ===")
    _say(f"Single Redis:  {on_single.rate:,.0f} bids/s ({on_single.ok} ok, {on_single.failed} failed)")
    _say(f"Redis Cluster: {on_cluster.rate:,.0f} bids/s ({on_cluster.ok} ok, {on_cluster.failed} failed)")
    _say(
        f"Cluster / single: {ratio:.0%} (rounds: {', '.join(f'{r:.0%}' for r in ratios)}; "
        f"target ≥ {CLUSTER_TARGET:.0%}) · cluster error replies {redirections} · "
        f"load average now {os.getloadavg()[0]:.2f} {'OK' if good else 'MISSED'}"
    )
    return 0 if good else 1
