"""Bid engine benchmark: `python -m benchmarks.bids` (`scripts/bench bids`). Prints every figure of one run.

1. Engine alone, in this process: place_bid.lua through the engine (argument building, script, reply
   parsing, receipt) against a bare EVALSHA of a do-nothing script, same client, same embedded Redis.
   The engine with its durable path (group commit to SQLite) is shown too.
2. Through HTTP, one granian worker each: POST /api/lots/{id}/bids (auth, embedded Redis, durable)
   against a bare Litestar POST that decodes the same body and makes one EVALSHA. Closed loop, in
   alternating rounds (both servers up), the median round by ratio reported.
3. Fixed offered load: 500 bids/s from 200 bidders on 50 lots for 20 s: p50/p95/p99 and errors.
4. The exchange server's peak resident memory (granian + worker): the kernel's high-water marks after 3.
5. Closing a lot with 10 000 bids: time from the close claim to the committed order.

`--postgres URL` runs the PostgreSQL mode instead (`benchmarks/_postgres_mode.py`): the fixed load against
two workers on PostgreSQL, their closed-loop rate, and the Redis and PostgreSQL bytes per lot and per bid.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec

from benchmarks._disk import fsync_probe
from benchmarks._http_load import LoadResult, closed_loop, open_loop, percentile
from benchmarks._phases import ROUNDS, close_big_lot, engine_alone, median_round
from benchmarks._setup import PYTHON, Bidder, Server, free_port, make_bidders, make_lots, make_orgs, rss_of_tree

__all__ = ["main"]

TARGETS = {"engine": 0.60, "http": 0.50, "p99_ms": 25.0, "close_ms": 200.0, "rss_mb": 300.0}


def _say(message: str) -> None:
    print(message, flush=True)


def _bid_requests(lots: list[int], bidders: list[Bidder]) -> Any:
    tokens = [{"Authorization": f"Bearer {b.token}"} for b in bidders]

    def make(i: int) -> tuple[str, dict[str, str], bytes]:
        amount = f"{1000 + (i * 7) % 9000}.{i % 100:02d}"
        return f"/api/lots/{lots[i % len(lots)]}/bids", tokens[i % len(tokens)], msgspec.json.encode({"amount": amount})

    return make


def _bare_requests(lots: list[int]) -> Any:
    def make(i: int) -> tuple[str, dict[str, str], bytes]:
        return f"/bids/{lots[i % len(lots)]}", {}, msgspec.json.encode({"amount": f"{1000 + i % 9000}.00"})

    return make


def _latency_line(result: LoadResult) -> str:
    ms = [value * 1000 for value in result.latencies]
    return (
        f"p50 {percentile(ms, 0.50):.1f} ms, p95 {percentile(ms, 0.95):.1f} ms, p99 {percentile(ms, 0.99):.1f} ms, "
        f"max {max(ms) if ms else float('nan'):.1f} ms"
    )


async def _http_rounds(
    bare_port: int, port: int, make: Any, make_bare: Any, args: argparse.Namespace
) -> tuple[LoadResult, LoadResult, list[float]]:
    """Both servers stay up; short closed-loop rounds alternate between them, so that both see the same
    background load on a shared machine. Returns the median round (by ratio) and every round's ratio."""
    for target, factory in ((bare_port, make_bare), (port, make)):  # warm up both
        await closed_loop("127.0.0.1", target, factory, connections=args.connections, seconds=1)
    seconds = args.http_seconds / ROUNDS
    rounds = []
    for _ in range(ROUNDS):
        bare = await closed_loop("127.0.0.1", bare_port, make_bare, connections=args.connections, seconds=seconds)
        ours = await closed_loop("127.0.0.1", port, make, connections=args.connections, seconds=seconds)
        rounds.append((bare, ours))
    bare, ours = median_round(rounds, lambda pair: pair[1].rate / pair[0].rate)
    return bare, ours, [o.rate / b.rate for b, o in rounds]


async def run(args: argparse.Namespace) -> int:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from exchange.db.engine import make_engine, make_session_maker
    from exchange.db.migrate import upgrade_database
    from exchange.redis.embedded import EmbeddedRedis
    from exchange.settings import Settings

    root = Path(tempfile.mkdtemp(prefix="sx-bench-"))
    data_dir = root / "data"
    settings = Settings.from_env({"DATA_DIR": str(data_dir)}).prepared()
    redis_server = EmbeddedRedis(data_dir)
    redis_server.ensure_running()
    engine: AsyncEngine | None = None
    figures: dict[str, Any] = {}
    try:
        _say(
            f"Bid engine benchmark — {platform.node()}, {platform.machine()}, {len(os.sched_getaffinity(0))} cores, "
            f"load average {os.getloadavg()[0]:.2f}, Python {platform.python_version()}; data in {root}"
        )
        await asyncio.to_thread(upgrade_database, settings.database.url)
        engine = make_engine(settings.database)
        session_maker = make_session_maker(engine)
        (seller,) = await make_orgs(session_maker, "seller", 1, "Bench seller")
        bidders = await make_bidders(session_maker, settings.secret_key, args.bidders)
        lots = await make_lots(session_maker, seller, args.lots, closes_in=timedelta(days=1))
        engine_lots = await make_lots(session_maker, seller, 8, closes_in=timedelta(days=1))

        _say(
            f"\n[1/5] Engine alone, in-process, {args.engine_seconds:.0f} s each in {ROUNDS} alternating rounds "
            "(32 concurrent calls)…"
        )
        figures["engine"] = await engine_alone(
            redis_server.url, session_maker, engine_lots, [b.org_id for b in bidders], args.engine_seconds
        )

        _say(
            f"\n[2/5] HTTP, closed loop, {args.connections} connections, {args.http_seconds:.0f} s per server "
            f"in {ROUNDS} alternating rounds "
            "([4/5]: the exchange server's peak memory is read after phase 3)…"
        )
        bare_port = free_port()
        bare = Server(
            [PYTHON, "-m", "granian", "--interface", "asgi", "--workers", "1", "--port", str(bare_port),
             "--no-access-log", "--factory", "benchmarks._bare_app:create_app"],
            {"BENCH_REDIS_URL": redis_server.url},
            bare_port,
            root / "bare.log",
        )  # fmt: skip
        port = free_port()
        server = Server(
            [PYTHON, "-m", "exchange.cli", "serve", "--no-migrate"],
            {"DATA_DIR": str(data_dir), "REDIS_URL": redis_server.url, "PORT": str(port), "WORKERS": "1",
             "SCHEDULER": "off"},
            port,
            root / "exchange.log",
        )  # fmt: skip
        try:
            await asyncio.to_thread(bare.wait_ready, "/schema/openapi.json")
            await asyncio.to_thread(server.wait_ready, "/health")
            make = _bid_requests(lots, bidders)
            figures["http"] = await _http_rounds(bare_port, port, make, _bare_requests(lots), args)

            _say(
                f"\n[3/5] Fixed offered load: {args.rate} bids/s from {args.bidders} bidders on {args.lots} lots "
                f"for {args.seconds:.0f} s…"
            )
            fixed = await open_loop(
                "127.0.0.1",
                port,
                _bid_requests(lots, bidders),
                rate=args.rate,
                seconds=args.seconds,
                clients=args.bidders,
            )
            figures["fixed"] = fixed
            figures["fsync"] = fsync_probe(data_dir)
            # The kernel's high-water marks: no sampling in this process, whose loop is the load generator.
            figures["rss"] = rss_of_tree(server.process.pid, "VmHWM")
        finally:
            server.stop()
            bare.stop()

        _say(f"\n[5/5] Closing a lot with {args.close_bids} bids…")
        figures["close"] = await close_big_lot(redis_server.url, session_maker, seller, args.close_bids)
    finally:
        if engine is not None:
            await engine.dispose()
        redis_server.stop()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return _report(figures, args)


def _report(figures: dict[str, Any], args: argparse.Namespace) -> int:
    ok = True

    def verdict(good: bool) -> str:
        nonlocal ok
        ok = ok and good
        return "OK" if good else "MISSED"

    e = figures["engine"]
    bare_http, http, http_ratios = figures["http"]
    fixed: LoadResult = figures["fixed"]
    close = figures["close"]
    engine_ratio = e["engine"] / e["bare"]
    http_ratio = http.rate / bare_http.rate
    p99 = percentile([v * 1000 for v in fixed.latencies], 0.99)
    rss_mb = figures["rss"] / 2**20
    _say("\n=== Results ===")
    _say(
        f"Engine alone: bare EVALSHA (do-nothing) {e['bare']:,.0f}/s · engine place_bid.lua {e['engine']:,.0f}/s · "
        f"ratio {engine_ratio:.0%} (target ≥ {TARGETS['engine']:.0%}) {verdict(engine_ratio >= TARGETS['engine'])}"
    )
    _say(
        f"  ratio per round ({ROUNDS} alternating rounds; the median round is shown): "
        + ", ".join(f"{ratio:.0%}" for ratio in sorted(e["ratios"]))
    )
    _say(f"  engine with the durable path (group commit to SQLite, 64 concurrent): {e['durable']:,.0f} bids/s")
    _say(
        f"HTTP, one worker: bare Litestar POST + EVALSHA {bare_http.rate:,.0f}/s · POST /api/lots/{{id}}/bids "
        f"{http.rate:,.0f}/s · ratio {http_ratio:.0%} (target ≥ {TARGETS['http']:.0%}) "
        f"{verdict(http_ratio >= TARGETS['http'])}"
    )
    _say(
        f"  ratio per round ({ROUNDS} alternating rounds of {args.http_seconds / ROUNDS:.0f} s each; "
        "the median round is shown): " + ", ".join(f"{ratio:.0%}" for ratio in sorted(http_ratios))
    )
    _say(
        f"  closed-loop errors: bare {bare_http.failed}, exchange {http.failed} ({http.statuses}); "
        f"exchange latency {_latency_line(http)}"
    )
    _say(
        f"Fixed load {args.rate}/s for {args.seconds:.0f} s, {args.bidders} bidders, {args.lots} lots: "
        f"sent {fixed.sent}, "
        f"201 {fixed.ok}, errors {fixed.failed} ({fixed.statuses}); achieved {fixed.ok / fixed.seconds:,.0f}/s"
    )
    _say(
        f"  {_latency_line(fixed)} (p99 target < {TARGETS['p99_ms']:.0f} ms, zero errors) "
        f"{verdict(p99 < TARGETS['p99_ms'] and fixed.failed == 0)}"
    )
    fsync = figures["fsync"]
    _say(
        f"  the data directory's disk right after: 4 KiB append + fdatasync p50 {fsync['p50']:.1f} ms, "
        f"p99 {fsync['p99']:.1f} ms, max {fsync['max']:.1f} ms (every bid waits for one such flush)"
    )
    _say(
        f"Close of a lot with {args.close_bids} bids: {close['to_order_ms']:.0f} ms to the order "
        f"(target < {TARGETS['close_ms']:.0f} ms) {verdict(close['to_order_ms'] < TARGETS['close_ms'])}; "
        f"{close['finished_ms']:.0f} ms with the Redis state closed; {close['notified_ms']:.0f} ms with "
        f"{close['notices']} notifications; bids were placed at {close['bids_per_s']:,.0f}/s in-process"
    )
    _say(
        f"Server resident memory (granian + worker), peak (VmHWM) through the HTTP phases: {rss_mb:.0f} MB "
        f"(target < {TARGETS['rss_mb']:.0f} MB) {verdict(rss_mb < TARGETS['rss_mb'])}"
    )
    return 0 if ok else 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="bench bids", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rate", type=int, default=500, help="offered bids per second in the fixed-load phase")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the fixed-load phase")
    parser.add_argument("--bidders", type=int, default=200)
    parser.add_argument("--lots", type=int, default=50)
    parser.add_argument("--connections", type=int, default=64, help="connections of the closed-loop HTTP phase")
    parser.add_argument("--http-seconds", type=float, default=15.0, help="per server, split into alternating rounds")
    parser.add_argument("--engine-seconds", type=float, default=5.0, help="per side, split into alternating rounds")
    parser.add_argument("--close-bids", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory and server logs")
    parser.add_argument(
        "--cluster", action="store_true", help="only HTTP bids/s on a 3-master Redis Cluster next to a single Redis"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="PostgreSQL mode, two workers on this database (postgresql://...; its schema public is DROPPED first)",
    )
    args = parser.parse_args(argv)
    try:
        import uvloop

        runner: Any = uvloop.run
    except ImportError:  # pragma: no cover
        runner = asyncio.run
    if args.cluster:
        from benchmarks._cluster_bids import run_cluster

        return int(runner(run_cluster(args)))
    if args.postgres:
        from benchmarks._postgres_mode import run_postgres

        return int(runner(run_postgres(args, _bid_requests, _latency_line)))
    return int(runner(run(args)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
