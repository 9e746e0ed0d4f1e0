"""`scripts/bench bids --postgres URL`: the bid path on PostgreSQL with two server workers sharing one Redis.

1. The fixed offered load (default 500 bids/s from 200 bidders on 50 lots for 20 s) against `exchange serve`
   with WORKERS=2 on PostgreSQL: p50/p95/p99 from each request's due time, every non-201 an error.
2. A closed loop (64 connections) against the same server: the most bids/s these two workers take here.
   Beside the server's CPU per bid, the other processes' on the same machine: PostgreSQL's backends of
   this database, Redis, and this load generator, and how many PostgreSQL sessions were opened meanwhile
   (a pool that opens and closes connections under load costs PostgreSQL a backend process each).
3. What the capacity plan rests on: the bid engine's Redis keys and bytes per live lot (MEMORY USAGE of
   every key of each lot, after the run), and PostgreSQL's bytes per stored bid (bid_revisions and bids,
   with their indexes).

The database named by URL is emptied first (its schema `public` is dropped; it is created if missing): give it
one of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks._http_load import LoadResult, closed_loop, open_loop, percentile
from benchmarks._setup import (
    PYTHON,
    Server,
    cpu_of,
    cpu_of_tree,
    free_port,
    make_bidders,
    make_lots,
    make_orgs,
    pids_whose_command_has,
)

__all__ = ["run_postgres"]

P99_TARGET_MS = 25.0


def _say(message: str) -> None:
    print(message, flush=True)


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {len(os.sched_getaffinity(0))} cores"


def _asyncpg(url: str) -> str:
    return "postgresql+asyncpg://" + url.split("://", 1)[1] if url.startswith(("postgresql://", "postgres://")) else url


async def _reset(url: str) -> None:
    """Empty the database (made first, from the server's `postgres` database, if it does not exist yet)."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    base, _, name = url.split("?")[0].rpartition("/")
    server = create_async_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    async with server.connect() as connection:
        if not await connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await server.dispose()
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


class MachineCpu:
    """CPU seconds spent, between `start()` and `stop()`, by the server's process tree, PostgreSQL's backends of
    this database, the Redis server and this process (the load generator); and PostgreSQL sessions opened."""

    def __init__(self, server_pid: int, session_maker: Any, database: str, redis_marker: str) -> None:
        self.server_pid, self.session_maker = server_pid, session_maker
        self.database, self.redis_marker = f" {database} ".encode(), redis_marker.encode()
        self.spent: dict[str, float] = {}

    def _now(self) -> dict[str, Any]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "server": cpu_of_tree(self.server_pid),
            "postgres": cpu_of(pids_whose_command_has(b"postgres:", self.database)),
            "redis": sum(cpu_of(pids_whose_command_has(b"", self.redis_marker)).values()),
            "client": usage.ru_utime + usage.ru_stime,
        }

    async def _sessions(self) -> int:
        from sqlalchemy import text

        async with self.session_maker() as session:
            query = "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
            return int(await session.scalar(text(query)) or 0)

    async def start(self) -> None:
        await self._sessions()
        await asyncio.sleep(1.0)  # our own (pooled) session is published within a second: counted before the load
        self._sessions_before = await self._sessions()
        self._before = self._now()

    async def stop(self) -> None:
        after = self._now()
        backends: dict[int, float] = after["postgres"]
        before: dict[int, float] = self._before["postgres"]
        self.spent = {name: after[name] - self._before[name] for name in ("server", "redis", "client")}
        # A backend started meanwhile counts from zero; one that ended meanwhile is not counted (see sessions).
        self.spent["postgres"] = sum(seconds - before.get(pid, 0.0) for pid, seconds in backends.items())
        await asyncio.sleep(1.0)  # PostgreSQL publishes its session counts within a second
        self.spent["sessions"] = await self._sessions() - self._sessions_before


async def redis_bytes_per_lot(redis_url: str, space: str, lots: list[int]) -> dict[str, float]:
    """Keys and MEMORY USAGE (bytes, with Redis's own overhead per key) of each loaded lot's engine state."""
    from redis.asyncio import Redis

    from exchange.auctions.scripts import LotKeys
    from exchange.live.channels import lot_channel
    from exchange.live.replay import log_key

    client = Redis.from_url(redis_url)
    keys_seen = bytes_seen = loaded = bids = bids_bytes = log_bytes = logs = 0
    try:
        for lot_id in lots:
            names = LotKeys(lot_id, space).all()
            pipe = client.pipeline(transaction=False)
            for name in names:
                pipe.memory_usage(name, samples=0)
            pipe.hlen(LotKeys(lot_id, space).bids)
            pipe.memory_usage(log_key(lot_channel(lot_id)), samples=0)
            *sizes, current, log_size = await pipe.execute()
            if log_size:
                logs += 1
                log_bytes += log_size
            present = [size for size in sizes if size]
            if present:
                loaded += 1
                keys_seen += len(present)
                bytes_seen += sum(present)
                bids += int(current)
                bids_bytes += sizes[names.index(LotKeys(lot_id, space).bids)] or 0
    finally:
        await client.aclose()
    return {
        "lots": loaded,
        "keys_per_lot": keys_seen / max(loaded, 1),
        "bytes_per_lot": bytes_seen / max(loaded, 1),
        "bids_per_lot": bids / max(loaded, 1),
        "bids_hash_bytes_per_bid": bids_bytes / max(bids, 1),
        "event_log_bytes_per_lot": log_bytes / max(logs, 1),
    }


async def postgres_bytes_per_bid(session_maker: Any) -> dict[str, float]:
    """Rows and bytes (table + indexes + TOAST) of the two tables every bid writes to."""
    from sqlalchemy import text

    figures: dict[str, float] = {}
    async with session_maker() as session:
        for table in ("bid_revisions", "bids"):
            rows = await session.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608 (a fixed name)
            size = await session.scalar(text("SELECT pg_total_relation_size(:t)"), {"t": table})
            figures[f"{table}_rows"] = float(rows or 0)
            figures[f"{table}_bytes_per_row"] = float(size or 0) / max(int(rows or 0), 1)
    return figures


async def run_postgres(args: argparse.Namespace, bid_requests: Any, latency_line: Any) -> int:
    from exchange.auctions.engine._space import database_space
    from exchange.db.engine import make_engine, make_session_maker
    from exchange.db.migrate import upgrade_database
    from exchange.redis.embedded import EmbeddedRedis
    from exchange.settings import Settings

    url = _asyncpg(args.postgres)
    root = Path(tempfile.mkdtemp(prefix="sx-bench-pg-"))
    data_dir = root / "data"
    redis_server = EmbeddedRedis(data_dir)
    redis_server.ensure_running()
    settings = Settings.from_env({"DATA_DIR": str(data_dir), "DATABASE_URL": url}).prepared()
    engine = make_engine(settings.database)
    try:
        _say(f"Bid benchmark on PostgreSQL, two workers — {_load()}; data in {root}")
        await _reset(url)
        await asyncio.to_thread(upgrade_database, url)
        session_maker = make_session_maker(engine)
        (seller,) = await make_orgs(session_maker, "seller", 1, "Bench seller")
        bidders = await make_bidders(session_maker, settings.secret_key, args.bidders)
        lots = await make_lots(session_maker, seller, args.lots, closes_in=timedelta(days=1))
        port = free_port()
        server = Server(
            [PYTHON, "-m", "exchange.cli", "serve", "--no-migrate"],
            {"DATA_DIR": str(data_dir), "DATABASE_URL": url, "REDIS_URL": redis_server.url, "PORT": str(port),
             "WORKERS": "2", "SCHEDULER": "off", "SECRET_KEY": settings.secret_key},
            port,
            root / "exchange.log",
        )  # fmt: skip
        make = bid_requests(lots, bidders)
        try:
            await asyncio.to_thread(server.wait_ready, "/health")
            await closed_loop("127.0.0.1", port, make, connections=16, seconds=2)  # warm up: lots loaded, sign-ins
            _say(
                f"\n[1/3] Fixed offered load: {args.rate} bids/s from {args.bidders} bidders on {args.lots} lots "
                f"for {args.seconds:.0f} s — {_load()}"
            )
            machine = MachineCpu(server.process.pid, session_maker, url.rpartition("/")[2].split("?")[0], str(data_dir))
            await machine.start()
            fixed = await open_loop("127.0.0.1", port, make, rate=args.rate, seconds=args.seconds, clients=args.bidders)
            await machine.stop()
            fixed_cpu = machine.spent["server"]
            _say(f"\n[2/3] Closed loop, {args.connections} connections, {args.http_seconds:.0f} s — {_load()}")
            cpu = cpu_of_tree(server.process.pid)
            peak = await closed_loop("127.0.0.1", port, make, connections=args.connections, seconds=args.http_seconds)
            peak_cpu = cpu_of_tree(server.process.pid) - cpu
        finally:
            server.stop()
        _say(f"\n[3/3] Redis bytes per lot, PostgreSQL bytes per bid — {_load()}")
        space = await database_space(session_maker)
        redis_figures = await redis_bytes_per_lot(redis_server.url, space, lots)
        pg_figures = await postgres_bytes_per_bid(session_maker)
    finally:
        await engine.dispose()
        redis_server.stop()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    cpu_ms = {"fixed": 1000 * fixed_cpu / max(fixed.ok, 1), "peak": 1000 * peak_cpu / max(peak.ok, 1)}
    cpu_ms.update({name: 1000 * machine.spent[name] / max(fixed.ok, 1) for name in ("postgres", "redis", "client")})
    cpu_ms["sessions"] = machine.spent["sessions"]
    return _report(args, fixed, peak, cpu_ms, redis_figures, pg_figures, latency_line)


def _report(
    args: argparse.Namespace,
    fixed: LoadResult,
    peak: LoadResult,
    cpu_ms: dict[str, float],
    redis_figures: dict[str, float],
    pg_figures: dict[str, float],
    latency_line: Any,
) -> int:
    p99 = percentile([v * 1000 for v in fixed.latencies], 0.99)
    good = p99 < P99_TARGET_MS and fixed.failed == 0
    _say(f"\n=== Results (PostgreSQL, WORKERS=2) — {_load()} ===")
    _say(
        f"Fixed load {args.rate}/s for {args.seconds:.0f} s, {args.bidders} bidders, {args.lots} lots: "
        f"sent {fixed.sent}, 201 {fixed.ok}, errors {fixed.failed} ({fixed.statuses}); "
        f"achieved {fixed.ok / fixed.seconds:,.0f}/s; the server's CPU {cpu_ms['fixed']:.1f} ms per bid"
    )
    _say(f"  {latency_line(fixed)} (p99 target < {P99_TARGET_MS:.0f} ms, zero errors) {'OK' if good else 'MISSED'}")
    _say(
        f"  CPU per bid on this machine's cores: server {cpu_ms['fixed']:.2f} ms, PostgreSQL backends "
        f"{cpu_ms['postgres']:.2f} ms, Redis {cpu_ms['redis']:.2f} ms, load generator {cpu_ms['client']:.2f} ms; "
        f"PostgreSQL sessions opened during the load: {cpu_ms['sessions']:.0f}"
    )
    _say(
        f"Closed loop, {args.connections} connections: {peak.rate:,.0f} bids/s, errors {peak.failed} "
        f"({peak.statuses}); {latency_line(peak)}; the server's CPU {cpu_ms['peak']:.1f} ms per bid "
        "(granian + both workers: the figure that does not depend on the machine's other load)"
    )
    _say(
        f"Redis per live lot ({redis_figures['lots']:.0f} lots, {redis_figures['bids_per_lot']:.1f} current bids "
        f"each): {redis_figures['keys_per_lot']:.1f} keys, {redis_figures['bytes_per_lot']:,.0f} bytes (MEMORY USAGE); "
        f"the bids hash {redis_figures['bids_hash_bytes_per_bid']:,.0f} bytes per current bid; "
        f"the lot's live-event log (capped stream) {redis_figures['event_log_bytes_per_lot']:,.0f} bytes"
    )
    _say(
        f"PostgreSQL per bid: bid_revisions {pg_figures['bid_revisions_bytes_per_row']:,.0f} bytes a row "
        f"({pg_figures['bid_revisions_rows']:,.0f} rows), bids {pg_figures['bids_bytes_per_row']:,.0f} bytes a row "
        f"({pg_figures['bids_rows']:,.0f} rows), indexes included"
    )
    return 0 if good else 1
