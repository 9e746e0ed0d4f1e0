"""Bid journal benchmark: `python -m benchmarks.journal` (`scripts/bench journal`). The durable path alone.

0. SQLite only: CPU time per batch of the writer process's transaction (`sqlite_journal.SqliteBatchTransaction`,
   run here in-process, no pipe): the figure that stays put on a busy shared machine.
1. Time per batch: one writer (`writers.writer_for`) commits batches of 1, 64 and 500 new bid revisions
   one after another; the median and p90 per size.
2. Throughput: 64 concurrent callers of `BidJournal.write` (group commit), bids/s.

No Redis and no HTTP: only the transaction that makes a batch durable (on SQLite, in the writer process),
so two versions of it can be compared run against run. `--database-url` picks PostgreSQL instead of a
fresh SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks._setup import make_lots, make_orgs

__all__ = ["main"]


def _write(i: int, lots: list[int], bidders: list[int]) -> Any:
    from exchange.auctions.batch import BidWrite

    return BidWrite(
        lot_id=lots[i % len(lots)],
        bidder_org_id=bidders[i % len(bidders)],
        revision=i,  # unique, so every row goes in
        kind="bid",
        amount_minor=100_000 + i,
        currency="CNY",
        placed_at_us=1_700_000_000_000_000 + i,
        seq=i,
        rank_seq=i,
        nonce=f"{i:032x}",
        receipt=f"bench-receipt-{i}",
        idempotency_key=None,
        user_id=None,
        gen="g",
        packed="",
    )


def _cpu_per_batch(path: str, counter: Any, lots: list[int], bidders: list[int], args: argparse.Namespace) -> None:
    from exchange.auctions.sqlite_journal import SqliteBatchTransaction

    transaction = SqliteBatchTransaction(path)
    transaction.write([list(_write(next(counter), lots, bidders).revision_values())])  # connects
    for size in (1, 64, 500):
        times = []
        for _ in range(args.batches):
            rows = [list(_write(next(counter), lots, bidders).revision_values()) for _ in range(size)]
            started = time.thread_time()
            transaction.write(rows)
            times.append((time.thread_time() - started) * 1000)
        print(f"writer CPU, batch of {size:>3}: median {statistics.median(times):.3f} ms", flush=True)
    transaction.close()


async def run(args: argparse.Namespace) -> None:
    from exchange.auctions.journal import BidJournal
    from exchange.auctions.writers import writer_for
    from exchange.db.engine import make_engine, make_session_maker
    from exchange.db.migrate import upgrade_database
    from exchange.settings import Settings

    root = Path(tempfile.mkdtemp(prefix="sx-bench-journal-"))
    env = {"DATA_DIR": str(root)} | ({"DATABASE_URL": args.database_url} if args.database_url else {})
    settings = Settings.from_env(env).prepared()
    await asyncio.to_thread(upgrade_database, settings.database.url)
    engine = make_engine(settings.database)
    session_maker = make_session_maker(engine)
    (seller,) = await make_orgs(session_maker, "seller", 1, "Journal bench seller")
    bidders = await make_orgs(session_maker, "buyer", 200, "Journal bench buyer")
    lots = await make_lots(session_maker, seller, 50, closes_in=timedelta(days=1))
    counter = itertools.count(1)

    if settings.database.sqlite_path is not None:
        await asyncio.to_thread(_cpu_per_batch, str(settings.database.sqlite_path), counter, lots, bidders, args)

    writer = writer_for(session_maker)
    await writer.write([_write(next(counter), lots, bidders)])  # starts the writer process on SQLite
    for size in (1, 64, 500):
        times = []
        for _ in range(args.batches):
            batch = [_write(next(counter), lots, bidders) for _ in range(size)]
            started = time.perf_counter()
            await writer.write(batch)
            times.append((time.perf_counter() - started) * 1000)
        p90 = statistics.quantiles(times, n=10)[-1]
        print(f"batch of {size:>3}: median {statistics.median(times):.2f} ms, p90 {p90:.2f} ms", flush=True)
    await writer.close()

    async def nothing(*_args: Any) -> None:
        return None

    journal = BidJournal(session_maker, nothing, nothing)
    journal.start()
    done = 0
    stop_at = time.perf_counter() + args.seconds

    async def caller() -> None:
        nonlocal done
        while time.perf_counter() < stop_at:
            await journal.write(_write(next(counter), lots, bidders))
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(64)))
    print(f"group commit, 64 concurrent callers: {done / (time.perf_counter() - started):,.0f} bids/s", flush=True)
    await journal.stop()
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=60, help="batches per size in the time-per-batch phase")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of the throughput phase")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: a fresh SQLite file)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
