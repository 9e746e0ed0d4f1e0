"""Audit log benchmark: `python -m benchmarks.audit` (`scripts/bench audit`).

1. Appends through `exchange.audit.record`: one record per committed transaction (as a lot change makes
   it), and 100 records per transaction (as a close with 100 bids makes it): records/s, and p50 and p99 of
   a whole transaction (the records are written at its commit, after SQLite's fsync on SQLite).
2. The log is filled to `--records` (default 1,000,000) with the same canonical bytes and hash chain,
   written in bulk (a million calls of `record` would only measure the first phase again), and a
   checkpoint is signed.
3. `exchange audit verify` over the whole log, with the signature check: in-process through the async
   session (`verify_log`, as on PostgreSQL), in-process with `sqlite3` (`verify_sqlite`, what the CLI runs on
   SQLite: in one process, then split over a process per CPU), and the CLI command itself in a fresh
   process, start-up included. Wall and CPU seconds (CPU of every process: the figure that does not grow
   with the machine's load), and the database's size. Target: < 10 s over 1,000,000 records.

`--database-url` picks PostgreSQL instead of a fresh SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

__all__ = ["main"]

BEFORE = {"status": "live", "closes_at": "2026-12-06T21:00:00.000000Z", "winning_amount": None}
AFTER = {"status": "awarded", "closes_at": "2026-12-06T21:00:00.000000Z", "winning_amount": "125000.00"}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def _appends(session_maker: Any, count: int, per_transaction: int) -> None:
    from exchange.audit import record

    took: list[float] = []
    at = datetime.now(UTC)
    started = time.perf_counter()
    for start in range(0, count, per_transaction):
        began = time.perf_counter()
        async with session_maker() as session, session.begin():
            for n in range(start, min(count, start + per_transaction)):
                await record(
                    session,
                    actor="clock",
                    object_type="lot",
                    object_id=n,
                    action="close",
                    before=BEFORE,
                    after=AFTER,
                    at=at,
                )
        took.append((time.perf_counter() - began) * 1000)
    elapsed = time.perf_counter() - started
    print(
        f"record(), {per_transaction:>3} per transaction: {count / elapsed:,.0f} records/s committed, "
        f"per transaction (records + commit) p50 {statistics.median(took):.2f} ms, p99 {_pct(took, 0.99):.2f} ms",
        flush=True,
    )


async def _fill(session_maker: Any, target: int, batch: int = 20_000) -> None:
    from sqlalchemy import insert

    from exchange.audit.canonical import canonical_json, canonical_time, chain_hash, record_bytes
    from exchange.audit.models import AuditRecord
    from exchange.audit.services import head

    async with session_maker() as session:
        size, previous = await head(session)
    before, after = canonical_json(BEFORE).decode(), canonical_json(AFTER).decode()
    moment = datetime.now(UTC) - timedelta(days=30)
    started = time.perf_counter()
    seq = size
    while seq < target:
        rows = []
        for _ in range(min(batch, target - seq)):
            seq += 1
            at = canonical_time(moment + timedelta(seconds=seq))
            actor, kind, action = f"org:{seq % 500}", "bid", "rank"
            body = record_bytes(seq, at, actor, kind, seq // 7, action, before, after)
            previous = chain_hash(previous, body)
            rows.append(
                {
                    "seq": seq,
                    "at": at,
                    "actor": actor,
                    "object_type": kind,
                    "object_id": seq // 7,
                    "action": action,
                    "before": before,
                    "after": after,
                    "hash": previous.hex(),
                }
            )
        async with session_maker() as session, session.begin():
            await session.execute(insert(AuditRecord), rows)
        if seq % 200_000 < batch:
            print(f"  filled {seq:,} records ({time.perf_counter() - started:.1f} s)", flush=True)


async def run(args: argparse.Namespace) -> tuple[Path, str, Path, Any] | None:
    from exchange.audit.checkpoints import write_checkpoint
    from exchange.audit.signing import load_or_create_key
    from exchange.audit.verify import verify_log
    from exchange.db.engine import make_engine, make_session_maker
    from exchange.db.migrate import upgrade_database
    from exchange.settings import Settings

    root = Path(tempfile.mkdtemp(prefix="sx-bench-audit-"))
    env = {"DATA_DIR": str(root)} | ({"DATABASE_URL": args.database_url} if args.database_url else {})
    settings = Settings.from_env(env).prepared()
    await asyncio.to_thread(upgrade_database, settings.database.url)
    engine = make_engine(settings.database)
    session_maker = make_session_maker(engine)
    where = settings.database.sqlite_path or settings.database.url.split("@")[-1]
    print(f"database: {where}", flush=True)

    await _appends(session_maker, args.appends, 1)
    await _appends(session_maker, args.appends * 5, 100)

    print(f"filling the log to {args.records:,} records…", flush=True)
    filled = time.perf_counter()
    await _fill(session_maker, args.records)
    print(f"  filled in {time.perf_counter() - filled:.1f} s", flush=True)
    key = load_or_create_key(settings.audit_key_file)
    async with session_maker() as session, session.begin():
        checkpoint = await write_checkpoint(session, key, at=datetime.now(UTC))
    print(checkpoint.line() if checkpoint else "no checkpoint", flush=True)

    path = settings.database.sqlite_path
    if path is not None:
        size = path.stat().st_size
        print(f"SQLite file: {size / 1e6:,.0f} MB, {size / args.records:,.0f} bytes per record", flush=True)
    for _attempt in range(args.verify_runs):
        with _Clock("verify_log() in-process, through the async session") as clock:
            async with session_maker() as session, session.begin():
                report = await verify_log(session, key.public_key())
        clock.say(report)
    await engine.dispose()
    return (path, settings.database.url, root, key) if path is not None else None


def verify_sqlite_and_cli(args: argparse.Namespace, path: Path, url: str, root: Path, key: Any) -> None:
    """What `exchange audit verify` runs on SQLite, in-process (no other thread here: its workers fork),
    and the command itself."""
    from exchange.audit.verify import verify_sqlite

    for workers, how in ((1, "one process"), (None, "a process per CPU")):
        for _attempt in range(args.verify_runs):
            with _Clock(f"verify_sqlite() in-process, {how}") as clock:
                report = verify_sqlite(path, key.public_key(), workers=workers)
            clock.say(report)
    env = os.environ | {"DATABASE_URL": url, "DATA_DIR": str(root)}
    command = [sys.executable, "-m", "exchange.cli", "audit", "verify"]
    for _attempt in range(args.verify_runs):
        with _Clock("`exchange audit verify` (CLI, a fresh process, start-up included)") as clock:
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        said = done.stdout.strip().splitlines()[0] if done.stdout.strip() else done.stderr[-300:]
        clock.say(None, f"exit {done.returncode}: {said}")


class _Clock:
    """Wall time, and CPU time of this process and of the processes it waited for (verify's workers, the CLI)."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __enter__(self) -> _Clock:
        self.started, self.cpu = time.perf_counter(), _cpu()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.elapsed, self.cpu = time.perf_counter() - self.started, _cpu() - self.cpu

    def say(self, report: Any, verdict: str = "") -> None:
        if report is not None:
            verdict = "OK" if report.ok else f"FAILED {report.violations[:3]}"
            verdict = (
                f"{report.size:,} records, {report.checkpoints} checkpoint(s), {report.ranges} range(s): {verdict}"
            )
        print(
            f"{self.what}: {self.elapsed:.2f} s, CPU {self.cpu:.2f} s (all processes; load "
            f"{os.getloadavg()[0]:.1f}); {verdict}",
            flush=True,
        )


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--appends", type=int, default=300, help="records committed one per transaction")
    parser.add_argument("--records", type=int, default=1_000_000, help="size of the log that is verified")
    parser.add_argument("--verify-runs", type=int, default=2, help="how many times to time verify")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    sqlite_file = asyncio.run(run(args))
    if sqlite_file is not None:
        verify_sqlite_and_cli(args, *sqlite_file)


if __name__ == "__main__":
    main()
