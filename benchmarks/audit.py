"""Audit log benchmark: `python -m benchmarks.audit` (`scripts/bench audit`).

1. Appends through `exchange.audit.record`: one record per committed transaction (as a lot change makes
   it), and 100 records per transaction (as a close with 100 bids makes it): records/s, and p50 and p99 of
   a whole transaction (the records are written at its commit, after SQLite's fsync on SQLite).
2. The log is filled to `--records` (default 1,000,000) with the same canonical bytes and hash chain,
   written in bulk (a million calls of `record` would only measure the first phase again), and a
   checkpoint is signed.
3. `exchange audit verify`'s work (`verify_log`, with the signature check) over the whole log: seconds,
   records/s, and the database's size.

`--database-url` picks PostgreSQL instead of a fresh SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
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


async def run(args: argparse.Namespace) -> None:
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
    await _fill(session_maker, args.records)
    key = load_or_create_key(settings.audit_key_file)
    async with session_maker() as session, session.begin():
        checkpoint = await write_checkpoint(session, key, at=datetime.now(UTC))
    print(checkpoint.line() if checkpoint else "no checkpoint", flush=True)

    if settings.database.sqlite_path is not None:
        size = settings.database.sqlite_path.stat().st_size
        print(f"SQLite file: {size / 1e6:,.0f} MB, {size / args.records:,.0f} bytes per record", flush=True)
    for attempt in range(args.verify_runs):
        started, cpu = time.perf_counter(), time.process_time()
        async with session_maker() as session, session.begin():
            report = await verify_log(session, key.public_key())
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        verdict = "OK" if report.ok else f"FAILED {report.violations[:3]}"
        print(
            f"verify run {attempt + 1}: {report.size:,} records, {report.checkpoints} checkpoint(s) in {elapsed:.2f} s "
            f"({report.size / elapsed:,.0f} records/s; CPU {cpu:.2f} s, "
            f"load average {os.getloadavg()[0]:.1f}): {verdict}",
            flush=True,
        )
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--appends", type=int, default=300, help="records committed one per transaction")
    parser.add_argument("--records", type=int, default=1_000_000, help="size of the log that is verified")
    parser.add_argument("--verify-runs", type=int, default=2, help="how many times to time verify")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: a fresh SQLite file)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
