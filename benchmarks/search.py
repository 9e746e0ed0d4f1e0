"""Search speed with 100 000 lots (or --lots N) in SQLite or PostgreSQL: in-process (the service call) and through HTTP.

    scripts/bench search [--lots 100000] [--queries 300] [--keep | --reuse DIR] [--postgres URL]

Builds a temporary database (bulk loads), then times a mix of searches (category + grade + two spec range
filters with units; free-text `q` in English and Chinese, alone and with a category; every sort in turn),
in-process and through a real `exchange serve`, and prints the data size, the build time, p50/p95/p99 wall and
CPU time by kind and by sort, and the slowest search's plan. Targets: in-process p95 < 50 ms, HTTP p95 < 60 ms."""

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

import asyncpg
import httpx
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from benchmarks._postgres_search import build_postgres, database_name, drop_postgres, postgres_size, reuse_postgres
from benchmarks._sqlite_build import build_sqlite, cpu_seconds
from exchange.db.engine import make_engine, make_session_maker
from exchange.lots.models import Lot
from exchange.lots.search import SORTS, parse_lot_query, search_lots, search_statements
from exchange.settings import DatabaseSettings
from exchange.specs.catalog import get_catalog

__all__ = ["main"]

IN_PROCESS_TARGET_MS = 50.0
HTTP_TARGET_MS = 60.0


_EN_WORDS = ("surplus", "overrun", "export", "clearance", "factory", "pallets", "cotton", "power bank", "resin")
_ZH_WORDS = ("尾货", "库存", "外贸", "清仓", "工厂清仓", "原单")
_SPEC_CATEGORIES = ("textiles/fabric", "metals/sheet", "electronics/power-bank", "plastics/resin", "textiles")


def _queries(rng: random.Random, count: int) -> list[dict[str, list[str]]]:
    """Mostly category + grade + two spec ranges with units, thresholds varied per query; one in four is a
    free-text `q` in English or Chinese, alone or with a category; every sort comes up."""
    makers = [
        lambda: {"category": ["textiles/fabric"], "spec.width.gte": [f"{rng.randint(100, 200)}cm"],
                 "spec.weight.lte": [f"{rng.randint(150, 400)} g/m2"], "grade": [rng.choice("ABC")]},
        lambda: {"category": ["metals/sheet"], "spec.thickness.gte": [f"{rng.uniform(0.5, 3):.1f}mm"],
                 "spec.width.lte": [f"{rng.uniform(1.0, 1.8):.2f} m"], "grade": [rng.choice("ABC")]},
        lambda: {"category": ["electronics/power-bank"], "spec.capacity.gte": [f"{rng.randint(5, 20)} Ah"],
                 "spec.output.gte": [f"{rng.randint(10, 60)}W"], "grade": [rng.choice("ABC")]},
        lambda: {"category": ["plastics/resin"], "spec.melt_flow_index.gte": [f"{rng.randint(1, 20)} g/10min"],
                 "spec.melt_flow_index.lte": [f"{rng.randint(25, 60)} g/10min"], "grade": [rng.choice("ABC")]},
        lambda: {"category": ["textiles"], "spec.width.gte": [f"{rng.randint(1000, 2000)} mm"],
                 "spec.weight.gte": [f"{rng.randint(80, 200)}gsm"], "grade": [rng.choice("ABC")]},
        lambda: {"q": [rng.choice(_EN_WORDS)]},
        lambda: {"q": [rng.choice(_ZH_WORDS)]},
        lambda: {"q": [rng.choice(_EN_WORDS + _ZH_WORDS)], "category": [rng.choice(_SPEC_CATEGORIES)]},
    ]  # fmt: skip
    weights = (15, 15, 15, 15, 15, 9, 8, 8)
    queries = []
    for number in range(count):
        query = rng.choices(makers, weights)[0]()
        query["sort"] = [SORTS[number % len(SORTS)]]
        queries.append(query)
    return queries


def _described(params: dict[str, list[str]]) -> str:
    return "&".join(f"{name}={value}" for name, values in params.items() for value in values)


def _percentiles(samples_ms: list[float]) -> str:
    ordered = sorted(samples_ms)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return f"p50 {cuts[49]:6.2f} ms   p95 {cuts[94]:6.2f} ms   p99 {cuts[98]:6.2f} ms   (n={len(ordered)})"


def _build(database_path: Path, lots: int) -> None:
    started, cpu_started = time.perf_counter(), cpu_seconds()
    build_sqlite(database_path, lots)
    print(f"  built in {time.perf_counter() - started:.1f} s ({cpu_seconds() - cpu_started:.1f} s CPU, the row-making "
          f"helper process included)   load: {_load()}")  # fmt: skip


def _kind(params: dict[str, list[str]]) -> str:
    if "q" not in params:
        return "spec filters"
    return "q with a category" if "category" in params else "q alone"


class _Timings:
    """Per-search wall and CPU milliseconds (CPU: this process, all threads; what the load cannot inflate much)."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.slowest: tuple[float, dict[str, list[str]]] = (0.0, {})
        self.by_kind: dict[str, tuple[list[float], list[float]]] = {}
        self.by_sort: dict[str, list[float]] = {}

    def add(self, wall_ms: float, cpu_ms: float, params: dict[str, list[str]]) -> None:
        self.wall.append(wall_ms)
        self.cpu.append(cpu_ms)
        wall, cpu = self.by_kind.setdefault(_kind(params), ([], []))
        wall.append(wall_ms)
        cpu.append(cpu_ms)
        self.by_sort.setdefault(params.get("sort", ["newest"])[-1], []).append(wall_ms)
        if wall_ms > self.slowest[0]:
            self.slowest = (wall_ms, params)


async def _in_process(url: str, queries: list[dict[str, list[str]]]) -> tuple[_Timings, int, int, str]:
    """Timings, lots in the database, the median total, and the slowest search's query plan."""
    engine = make_engine(DatabaseSettings(url=url))
    session_maker = make_session_maker(engine)
    timings = _Timings()
    totals: list[int] = []
    try:
        async with session_maker() as session:
            lot_count = int(await session.scalar(select(func.count()).select_from(Lot)) or 0)
            for warmup in queries[:20]:
                await search_lots(session, None, warmup)
        for params in queries:
            async with session_maker() as session:
                started, cpu_started = time.perf_counter(), time.process_time()
                total = (await search_lots(session, None, params)).total
                timings.add((time.perf_counter() - started) * 1000, (time.process_time() - cpu_started) * 1000, params)
                totals.append(total)
        async with session_maker() as session:
            plan = await _plan(session, timings.slowest[1])
    finally:
        await engine.dispose()
    return timings, lot_count, int(statistics.median(totals)), plan


async def _plan(session: AsyncSession, params: dict[str, list[str]]) -> str:
    """EXPLAIN QUERY PLAN (SQLite) or EXPLAIN ANALYZE (PostgreSQL) of a search's page and count statements."""
    catalog = get_catalog()
    statements = await search_statements(session, None, parse_lot_query(params, catalog), catalog)
    dialect = (await session.connection()).dialect
    postgres = dialect.name == "postgresql"
    lines: list[str] = []
    for name, statement in statements:
        if isinstance(statement, str):
            lines.append(f"  {name}: {statement}")
            continue
        compiled = statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
        rows = list((await session.execute(text(prefix + str(compiled)))).all())
        lines.append(f"  {name}:")
        lines += [f"    {row[0]}" if postgres else f"    {'  ' * _depth(rows, row)}{row[-1]}" for row in rows]
    return "\n".join(lines)


def _depth(rows: list[Any], row: Any) -> int:
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent in parents:
        depth, parent = depth + 1, parents[parent]
    return depth


def _process_cpu(pid: int) -> float:
    """CPU milliseconds (user + system) a process and its children (the server's worker) have used, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
    return own + sum(_process_cpu(int(child)) for child in children)


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _http(data_dir: Path, url: str, queries: list[dict[str, list[str]]], *, takeover: bool = False) -> _Timings:
    """`takeover`: the database was kept from an earlier run, whose embedded Redis (in a deleted directory) is
    gone for good."""
    port = _free_port()
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": url,
        "PORT": str(port),
        "WORKERS": "1",
        "SCHEDULER": "off",
    }
    env.pop("REDIS_URL", None)
    if takeover:
        env["BID_ENGINE_TAKEOVER"] = "yes"
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
        timings = _Timings()
        with httpx.Client(base_url=base, timeout=30) as client:
            for warmup in queries[:20]:
                client.get("/api/lots", params=warmup).raise_for_status()
            server_cpu = _process_cpu(server.pid)
            for params in queries:
                started, cpu_before = time.perf_counter(), _process_cpu(server.pid)
                response = client.get("/api/lots", params=params)
                timings.add((time.perf_counter() - started) * 1000, _process_cpu(server.pid) - cpu_before, params)
                response.raise_for_status()
            print(f"  server CPU for {len(queries)} searches: {(_process_cpu(server.pid) - server_cpu) / 1000:.1f} s")
        return timings
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(sorted(samples), n=100, method="inclusive")[94]


def _verdict(samples: list[float], target: float) -> str:
    return f"target p95 < {target:.0f} ms {'OK' if _p95(samples) < target else 'MISSED'}"


def _size(database_path: Path) -> str:
    files = [database_path, database_path.with_name(database_path.name + "-wal")]
    return f"{sum(f.stat().st_size for f in files if f.exists()) / 1e6:,.0f} MB on disk"


def _report(size: str, lot_count: int, median_total: int, in_process: _Timings, over_http: _Timings, plan: str) -> int:
    print()
    print(f"lots in the database: {lot_count:,} ({size})   median matches per search: {median_total:,}")
    print(f"load: {_load()}")
    print(
        f"in-process search       {_percentiles(in_process.wall)}   {_verdict(in_process.wall, IN_PROCESS_TARGET_MS)}"
    )
    print(f"in-process search, CPU  {_percentiles(in_process.cpu)}")
    print(f"HTTP GET /api/lots      {_percentiles(over_http.wall)}   {_verdict(over_http.wall, HTTP_TARGET_MS)}")
    print(f"HTTP, server CPU        {_percentiles(over_http.cpu)}")
    for kind, (wall, cpu) in sorted(in_process.by_kind.items()):
        if len(wall) < 2:
            continue
        print(f"  in-process, {kind:<17} {_percentiles(wall)}")
        print(f"  in-process, {kind + ', CPU':<17} {_percentiles(cpu)}")
    for sort, wall in sorted(in_process.by_sort.items()):
        if len(wall) >= 2:
            print(f"  in-process, sort={sort:<12} {_percentiles(wall)}")
    print(f"slowest in-process search ({in_process.slowest[0]:.1f} ms): {_described(in_process.slowest[1])}")
    print(plan)
    return 0 if _p95(in_process.wall) < IN_PROCESS_TARGET_MS and _p95(over_http.wall) < HTTP_TARGET_MS else 1


def _time_searches(
    data_dir: Path, url: str, queries: list[dict[str, list[str]]], *, takeover: bool = False
) -> tuple[_Timings, int, int, str, _Timings]:
    """(in-process timings, lots, median total, the slowest search's plan, HTTP timings)."""
    gc.collect()  # the build leaves millions of objects behind; do not time their collection
    gc.freeze()
    print(f"Timing {len(queries)} in-process searches (spec filters, English and Chinese q, every sort) ...")
    in_process, lot_count, median_total, plan = asyncio.run(_in_process(url, queries))
    print(f"Timing {len(queries)} searches through HTTP (exchange serve, 1 worker) ...")
    return in_process, lot_count, median_total, plan, _http(data_dir, url, queries, takeover=takeover)


def _on_postgres(server_url: str, lots: int, queries: list[dict[str, list[str]]], keep: bool, reuse: str | None) -> int:
    """Build a database (or, with `reuse`, migrate a kept one to the head revision), time, drop unless kept."""
    try:
        url = asyncio.run(reuse_postgres(server_url, reuse) if reuse else build_postgres(server_url, lots))
    except (OSError, asyncpg.PostgresError) as error:
        print(f"error: cannot use the PostgreSQL server at {server_url}: {error}", file=sys.stderr)
        print("  give the URL of a database that exists (bench_search_<hex> is made beside it)", file=sys.stderr)
        return 2
    data_dir = Path(tempfile.mkdtemp(prefix="bench-search-pg-"))
    try:
        size = asyncio.run(postgres_size(url))
        timed = _time_searches(data_dir, url, queries, takeover=reuse is not None)
        in_process, lot_count, median_total, plan, over_http = timed
    finally:
        if keep or reuse:
            print(f"kept database {database_name(url)} (time again with --reuse {database_name(url)}; drop it after)")
        else:
            asyncio.run(drop_postgres(server_url, url))
        shutil.rmtree(data_dir, ignore_errors=True)
    return _report(size, lot_count, median_total, in_process, over_http, plan)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench search", description=__doc__.splitlines()[0])
    parser.add_argument("--lots", type=int, default=100_000, help="lots to create (default 100000)")
    parser.add_argument("--queries", type=int, default=300, help="timed searches per mode (default 300)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory (and say where)")
    parser.add_argument(
        "--reuse",
        type=Path,
        help="time again on a data directory (with --postgres: a database name) kept by an earlier --keep run",
    )
    parser.add_argument(
        "--postgres", metavar="URL", help="a PostgreSQL server (postgresql://user@host:port/db) to build a database on"
    )
    args = parser.parse_args(argv)
    if args.postgres:
        queries = _queries(random.Random(7), args.queries)
        reuse = args.reuse.name if args.reuse is not None else None
        return _on_postgres(args.postgres, args.lots, queries, args.keep, reuse)

    data_dir = args.reuse or Path(tempfile.mkdtemp(prefix="bench-search-"))
    database_path = data_dir / "exchange.db"
    url = f"sqlite+aiosqlite:///{database_path}"
    queries = _queries(random.Random(7), args.queries)
    keep = args.keep or args.reuse is not None
    try:
        if args.reuse is None:
            _build(database_path, args.lots)
        size = _size(database_path)
        in_process, lot_count, median_total, plan, over_http = _time_searches(data_dir, url, queries)
    finally:
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            print(f"kept {data_dir} (time again with --reuse {data_dir})")
    return _report(size, lot_count, median_total, in_process, over_http, plan)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
