"""Search speed with 100 000 lots in SQLite: in-process (the service call) and through HTTP.

    scripts/bench search [--lots 100000] [--queries 300]

Builds a temporary database (fast bulk inserts), then times a search with category + grade + two
spec range filters (with units), in-process and through a real `exchange serve`, and prints
p50/p95/p99. Targets: in-process p95 < 30 ms, HTTP p95 < 60 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, event, func, select, text

from benchmarks._synthetic_lots import load_lots
from exchange.db.engine import make_engine, make_session_maker
from exchange.db.migrate import upgrade_database
from exchange.lots.models import Lot
from exchange.lots.search import search_lots
from exchange.settings import DatabaseSettings

__all__ = ["main"]

IN_PROCESS_TARGET_MS = 30.0
HTTP_TARGET_MS = 60.0


def _queries(rng: random.Random, count: int) -> list[dict[str, list[str]]]:
    """Category + grade + two spec ranges with units, thresholds varied per query."""
    makers = [
        lambda: {"category": ["textiles/fabric"], "spec.width.gte": [f"{rng.randint(100, 200)}cm"],
                 "spec.weight.lte": [f"{rng.randint(150, 400)} g/m2"]},
        lambda: {"category": ["metals/sheet"], "spec.thickness.gte": [f"{rng.uniform(0.5, 3):.1f}mm"],
                 "spec.width.lte": [f"{rng.uniform(1.0, 1.8):.2f} m"]},
        lambda: {"category": ["electronics/power-bank"], "spec.capacity.gte": [f"{rng.randint(5, 20)} Ah"],
                 "spec.output.gte": [f"{rng.randint(10, 60)}W"]},
        lambda: {"category": ["plastics/resin"], "spec.melt_flow_index.gte": [f"{rng.randint(1, 20)} g/10min"],
                 "spec.melt_flow_index.lte": [f"{rng.randint(25, 60)} g/10min"]},
        lambda: {"category": ["textiles"], "spec.width.gte": [f"{rng.randint(1000, 2000)} mm"],
                 "spec.weight.gte": [f"{rng.randint(80, 200)}gsm"]},
    ]  # fmt: skip
    queries = []
    for _ in range(count):
        query = rng.choice(makers)()
        query["grade"] = [rng.choice("ABC")]
        queries.append(query)
    return queries


def _percentiles(samples_ms: list[float]) -> str:
    ordered = sorted(samples_ms)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return f"p50 {cuts[49]:6.2f} ms   p95 {cuts[94]:6.2f} ms   p99 {cuts[98]:6.2f} ms   (n={len(ordered)})"


def _build(database_path: Path, lots: int) -> None:
    url = f"sqlite+aiosqlite:///{database_path}"
    print(f"Migrating a fresh SQLite database at {database_path} ...")
    upgrade_database(url)
    engine = create_engine(f"sqlite:///{database_path}")

    @event.listens_for(engine, "connect")
    def _fast(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()

    print(f"Inserting {lots:,} lots with their spec values and terms ...")
    started = time.perf_counter()
    with engine.begin() as connection:
        load_lots(connection, lots)
    with engine.connect() as connection:
        connection.execute(text("PRAGMA optimize=0x10002"))
        connection.commit()
    engine.dispose()
    print(f"  built in {time.perf_counter() - started:.1f} s")


async def _in_process(database_path: Path, queries: list[dict[str, list[str]]]) -> tuple[list[float], int, int]:
    engine = make_engine(DatabaseSettings(url=f"sqlite+aiosqlite:///{database_path}"))
    session_maker = make_session_maker(engine)
    samples: list[float] = []
    totals: list[int] = []
    try:
        async with session_maker() as session:
            lot_count = int(await session.scalar(select(func.count()).select_from(Lot)) or 0)
            for warmup in queries[:20]:
                await search_lots(session, None, warmup)
        for params in queries:
            async with session_maker() as session:
                started = time.perf_counter()
                _, _, total, _ = await search_lots(session, None, params)
                samples.append((time.perf_counter() - started) * 1000)
                totals.append(total)
    finally:
        await engine.dispose()
    return samples, lot_count, int(statistics.median(totals))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _http(data_dir: Path, database_path: Path, queries: list[dict[str, list[str]]]) -> list[float]:
    port = _free_port()
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite+aiosqlite:///{database_path}",
        "PORT": str(port),
        "WORKERS": "1",
        "SCHEDULER": "off",
    }
    env.pop("REDIS_URL", None)
    log = open(data_dir / "serve.log", "wb")  # noqa: SIM115 (the server writes to it until stopped)
    server = subprocess.Popen(
        [sys.executable, "-m", "exchange.cli", "serve", "--no-migrate"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the server did not start; see " + str(data_dir / "serve.log"))
            time.sleep(0.2)
        samples: list[float] = []
        with httpx.Client(base_url=base, timeout=10) as client:
            for warmup in queries[:20]:
                client.get("/api/lots", params=warmup).raise_for_status()
            for params in queries:
                started = time.perf_counter()
                response = client.get("/api/lots", params=params)
                samples.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
        return samples
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench search", description=__doc__.splitlines()[0])
    parser.add_argument("--lots", type=int, default=100_000, help="lots to create (default 100000)")
    parser.add_argument("--queries", type=int, default=300, help="timed searches per mode (default 300)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory (and say where)")
    parser.add_argument("--reuse", type=Path, help="time again on a data directory kept by an earlier --keep run")
    args = parser.parse_args(argv)

    data_dir = args.reuse or Path(tempfile.mkdtemp(prefix="bench-search-"))
    database_path = data_dir / "exchange.db"
    queries = _queries(random.Random(7), args.queries)
    keep = args.keep or args.reuse is not None
    try:
        if args.reuse is None:
            _build(database_path, args.lots)
        gc.collect()  # the build leaves millions of objects behind; do not time their collection
        gc.freeze()
        print(f"Timing {len(queries)} in-process searches (category + grade + two spec ranges with units) ...")
        in_process, lot_count, median_total = asyncio.run(_in_process(database_path, queries))
        print(f"Timing {len(queries)} searches through HTTP (exchange serve, 1 worker) ...")
        over_http = _http(data_dir, database_path, queries)
    finally:
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            print(f"kept {data_dir} (time again with --reuse {data_dir})")
    in_p95 = statistics.quantiles(sorted(in_process), n=100, method="inclusive")[94]
    http_p95 = statistics.quantiles(sorted(over_http), n=100, method="inclusive")[94]
    print()
    print(f"lots in the database: {lot_count:,}   (median matches per search: {median_total:,})")
    print(f"in-process search   {_percentiles(in_process)}   target p95 < {IN_PROCESS_TARGET_MS:.0f} ms "
          f"{'OK' if in_p95 < IN_PROCESS_TARGET_MS else 'MISSED'}")  # fmt: skip
    print(f"HTTP GET /api/lots  {_percentiles(over_http)}   target p95 < {HTTP_TARGET_MS:.0f} ms "
          f"{'OK' if http_p95 < HTTP_TARGET_MS else 'MISSED'}")  # fmt: skip
    return 0 if in_p95 < IN_PROCESS_TARGET_MS and http_p95 < HTTP_TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
