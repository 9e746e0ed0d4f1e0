"""Ledger benchmark: `python -m benchmarks.ledger` (`scripts/bench ledger`).

1. Postings through the service layer (`exchange.ledger.services`) on a fresh SQLite file: one caller,
   each money-moving call its own transaction with its commit. (a) one entry per call (a deposit paid in,
   a sale split between seller and platform, a payout; a hold and its partial post); (b) auction closes,
   each the close's `release_deposits`: one `post_many` ending `--bidders` deposit holds (the winner's
   posted, the rest voided). Entries per second, the latency of each call including its commit (median, p99, max), and
   CPU per call. Targets: >= 2,000 entries/s, p99 < 20 ms.
2. `exchange ledger verify` over a ledger of `--entries` entries (default 1,000,000), bulk-loaded with
   raw SQL (balanced, valid data: deposits, splits, payouts, holds), timed in-process (through the async
   session, as on PostgreSQL; and with `sqlite3`, as the CLI runs it on SQLite) and as the CLI command in a
   fresh process, start-up included; wall and CPU seconds. Target: < 5 s.

`--database-url` runs part 1 on PostgreSQL instead (part 2 is SQLite only).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks._disk import fsync_probe
from benchmarks._setup import make_orgs

__all__ = ["main"]

BUYERS = 200
SELLERS = 50


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


class _Timer:
    """Wall time per call, and wall and CPU time over all of them (CPU: every thread of this process,
    so aiosqlite's too: the figure that does not grow with the machine's load)."""

    def __init__(self) -> None:
        self.took: list[float] = []
        self.started = time.perf_counter()
        self.cpu_started = time.process_time()
        self.elapsed = self.cpu = 0.0

    def stop(self) -> None:
        self.elapsed = time.perf_counter() - self.started
        self.cpu = time.process_time() - self.cpu_started

    def line(self, what: str, calls: int, entries: int, lines: int) -> str:
        took = self.took
        return (
            f"{what}: {calls:,} calls, {entries:,} new entries ({lines:,} lines) in {self.elapsed:.2f} s "
            f"= {entries / self.elapsed:,.0f} entries/s, {calls / self.elapsed:,.0f} calls/s; per call median "
            f"{statistics.median(took):.2f} ms, p99 {_percentile(took, 0.99):.2f} ms, max {max(took):.2f} ms; "
            f"CPU {self.cpu / calls * 1000:.2f} ms per call, {self.cpu / entries * 1000:.2f} ms per entry "
            f"(load {os.getloadavg()[0]:.1f})"
        )


async def postings(args: argparse.Namespace, root: Path) -> None:
    from exchange.app import GIL_SWITCH_SECONDS
    from exchange.db.engine import make_engine, make_session_maker
    from exchange.db.migrate import upgrade_database
    from exchange.ledger import accounts
    from exchange.ledger import services as ledger
    from exchange.settings import Settings

    env = {"DATA_DIR": str(root)} | ({"DATABASE_URL": args.database_url} if args.database_url else {})
    settings = Settings.from_env(env).prepared()
    sys.setswitchinterval(GIL_SWITCH_SECONDS)  # as the app's lifespan sets it for aiosqlite's threads
    await asyncio.to_thread(upgrade_database, settings.database.url)
    engine = make_engine(settings.database)
    session_maker = make_session_maker(engine)
    buyers = await make_orgs(session_maker, "buyer", BUYERS, "Ledger bench buyer")
    sellers = await make_orgs(session_maker, "seller", SELLERS, "Ledger bench seller")
    async with session_maker() as session, session.begin():
        external = await ledger.account_for(session, accounts.EXTERNAL, "CNY")
        revenue = await ledger.account_for(session, accounts.PLATFORM_REVENUE, "CNY")
        held = [await ledger.account_for(session, accounts.DEPOSITS_HELD, "CNY", org_id=org) for org in buyers]
        payable = [await ledger.account_for(session, accounts.SELLER_PAYABLE, "CNY", org_id=org) for org in sellers]
    print(
        f"postings: {settings.database.url.split('@')[-1]}, {BUYERS + SELLERS + 2} accounts, every call its own "
        f"transaction and commit (SQLite: synchronous=FULL, an fsync per commit); machine load "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
        flush=True,
    )
    now = datetime.now(UTC)
    run = f"{time.time_ns()}"
    rng = random.Random(7)

    # (a) one entry per call: a payment in, a sale split between seller and platform, a hold and its
    # partial post, a payout (post, post, hold, post_hold, post).
    single = _Timer()
    entries = lines = 0
    hold_id = 0
    for i in range(args.calls // 5):
        buyer, seller = held[i % BUYERS], payable[rng.randrange(SELLERS)]
        amount = rng.randrange(10_000, 1_000_000)
        fee = amount // 20
        key = f"bench:{run}:{i}"
        moves = {
            "pay": [ledger.Move(external, buyer, amount)],
            "split": [ledger.Move(buyer, seller, amount - fee), ledger.Move(buyer, revenue, fee)],
            "payout": [ledger.Move(seller, external, (amount - fee) // 4)],
        }
        for step, step_lines in (("pay", 2), ("split", 3), ("hold", 0), ("post", 2), ("payout", 2)):
            began = time.perf_counter()
            async with session_maker() as session, session.begin():
                if step == "hold":
                    move = ledger.Move(seller, external, (amount - fee) // 2)
                    hold_id = await ledger.hold(session, key=f"{key}:hold", move=move, at=now)
                elif step == "post":
                    part = (amount - fee) // 4
                    await ledger.post_hold(session, key=f"{key}:post", hold_id=hold_id, at=now, amount_minor=part)
                else:
                    await ledger.post(session, key=f"{key}:{step}", moves=moves[step], at=now)
            single.took.append((time.perf_counter() - began) * 1000)
            entries += 1
            lines += step_lines
    single.stop()
    print(
        single.line("(a) single-entry calls (post / hold / post_hold), a commit each", entries, entries, lines),
        flush=True,
    )

    # (b) auction closes: `bidders` deposits held when the bids came in (set up here, not timed), then
    # the close's `exchange.orders.escrow.release_deposits` (its accounts found in one statement, one
    # `post_many`): the winner's hold posted, the others voided: `bidders` new entries per call (1 post_hold
    # with 2 lines, the voids with none; the holds are found again by key, which writes nothing).
    from exchange.auctions.models import BidDeposit
    from exchange.orders import escrow

    closes = max(1, args.closes)
    buyer_orgs = dict(zip(held, buyers, strict=True))
    lots: list[tuple[list[BidDeposit], int]] = []
    for lot in range(closes):
        orgs = [buyer_orgs[account] for account in rng.sample(held, args.bidders)]
        deposits = [
            BidDeposit(lot_id=10_000_000 + lot, org_id=org, amount_minor=500_00, currency="CNY") for org in orgs
        ]
        async with session_maker() as session, session.begin():
            for deposit in deposits:
                await escrow.hold_deposit(session, deposit, now)
        lots.append((deposits, orgs[rng.randrange(args.bidders)]))
    batch = _Timer()
    for deposits, winner in lots:
        began = time.perf_counter()
        async with session_maker() as session, session.begin():
            await escrow.release_deposits(session, deposits, now, winner_org_id=winner)
        batch.took.append((time.perf_counter() - began) * 1000)
    batch.stop()
    what = f"(b) auction closes, {args.bidders} deposits each: release_deposits (one post_many) + commit per close"
    print(batch.line(what, closes, closes * args.bidders, closes * 2), flush=True)

    from exchange.ledger.verify import verify_ledger

    async with session_maker() as session:
        report = await verify_ledger(session)
    print(f"  verify after the postings: {'clean' if report.clean else report.violations[:3]}", flush=True)
    await engine.dispose()


# --- part 2: verify over a bulk-loaded ledger ---------------------------------------------------------------


def bulk_load(path: Path, entries: int) -> None:
    """A valid ledger of `entries` entries, written with executemany (no service layer): buyers are paid in
    from the world, split their money between a seller and the platform, sellers are paid out; one entry
    in 50 places a hold, half of those are posted in part."""
    when = "2026-12-01 12:00:00.000000"
    rng = random.Random(11)
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")
        db.executemany(
            "INSERT INTO orgs (name, kind, verified, created_at) VALUES (?, ?, 1, ?)",
            [(f"Verify bench {i}", "buyer" if i < 2000 else "seller", when) for i in range(2500)],
        )
        orgs = [row[0] for row in db.execute("SELECT id FROM orgs WHERE name LIKE 'Verify bench %' ORDER BY id")]
        account_rows = [("external:CNY", "external", None), ("platform_revenue:CNY", "platform_revenue", None)]
        account_rows += [(f"deposits_held:CNY:org={o}", "deposits_held", o) for o in orgs[:2000]]
        account_rows += [(f"seller_payable:CNY:org={o}", "seller_payable", o) for o in orgs[2000:]]
        db.executemany(
            "INSERT INTO ledger_accounts (code, purpose, currency, org_id, posted, pending_out, pending_in, "
            "created_at) VALUES (?, ?, 'CNY', ?, 0, 0, 0, ?)",
            [(*row, when) for row in account_rows],
        )
        ids = [row[0] for row in db.execute("SELECT id FROM ledger_accounts ORDER BY id")]
        external, revenue, buyers, sellers = ids[0], ids[1], ids[2:2002], ids[2002:]
        posted = dict.fromkeys(ids, 0)
        pending_out = dict.fromkeys(ids, 0)
        pending_in = dict.fromkeys(ids, 0)
        first_id = 1 + (db.execute("SELECT COALESCE(MAX(id), 0) FROM ledger_entries").fetchone()[0])

        entry_rows: list[tuple[Any, ...]] = []
        line_rows: list[tuple[Any, ...]] = []
        hold_rows: list[tuple[Any, ...]] = []
        holds_open: list[tuple[int, int, int, int]] = []

        def flush() -> None:
            db.executemany(
                "INSERT INTO ledger_entries (id, key, kind, fingerprint, hold_id, memo, at) "
                "VALUES (?, ?, ?, 'bench', ?, '', ?)",
                entry_rows,
            )
            db.executemany(
                "INSERT INTO ledger_lines (entry_id, account_id, currency, direction, amount_minor) "
                "VALUES (?, ?, 'CNY', ?, ?)",
                line_rows,
            )
            db.executemany(
                "INSERT INTO ledger_holds (id, from_account_id, to_account_id, amount_minor, posted_minor, status, "
                "created_at, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                hold_rows,
            )
            entry_rows.clear()
            line_rows.clear()
            hold_rows.clear()

        def move(entry_id: int, pairs: list[tuple[int, int]]) -> None:
            for account, delta in pairs:
                posted[account] += delta
                line_rows.append((entry_id, account, 1 if delta > 0 else -1, abs(delta)))

        pending_holds: dict[int, tuple[int, int, int]] = {}
        for n in range(entries):
            entry_id = first_id + n
            step = n % 4
            buyer = buyers[rng.randrange(len(buyers))]
            seller = sellers[rng.randrange(len(sellers))]
            if n % 50 == 49 and posted[seller] - pending_out[seller] > 100:
                amount = (posted[seller] - pending_out[seller]) // 2
                entry_rows.append((entry_id, f"v:{n}", "hold", None, when))
                pending_holds[entry_id] = (seller, external, amount)
                pending_out[seller] += amount
                pending_in[external] += amount
                holds_open.append((entry_id, seller, external, amount))
            elif n % 50 == 24 and holds_open:
                hold_id, source, target, amount = holds_open.pop()
                part = amount // 2
                entry_rows.append((entry_id, f"v:{n}", "post_hold", hold_id, when))
                pending_out[source] -= amount
                pending_in[target] -= amount
                del pending_holds[hold_id]
                hold_rows.append((hold_id, source, target, amount, part, "posted", when, when))
                move(entry_id, [(source, -part), (target, part)])
            elif step in (0, 1) or posted[buyer] < 200:
                amount = rng.randrange(10_000, 1_000_000)
                entry_rows.append((entry_id, f"v:{n}", "post", None, when))
                move(entry_id, [(external, -amount), (buyer, amount)])
            elif step == 2:
                amount = posted[buyer]
                fee = amount // 20
                entry_rows.append((entry_id, f"v:{n}", "post", None, when))
                move(entry_id, [(buyer, -amount), (seller, amount - fee), (revenue, fee)])
            else:
                amount = (posted[seller] - pending_out[seller]) // 2
                if amount <= 0:
                    amount = rng.randrange(10_000, 1_000_000)
                    entry_rows.append((entry_id, f"v:{n}", "post", None, when))
                    move(entry_id, [(external, -amount), (buyer, amount)])
                else:
                    entry_rows.append((entry_id, f"v:{n}", "post", None, when))
                    move(entry_id, [(seller, -amount), (external, amount)])
            if len(entry_rows) >= 50_000:
                flush()
                if (n + 1) % 200_000 < 50_000:
                    print(f"  loaded {n + 1:,} entries...", flush=True)
        hold_rows.extend(
            (hold_id, source, target, amount, 0, "pending", when, None)
            for hold_id, (source, target, amount) in pending_holds.items()
        )
        flush()
        db.executemany(
            "UPDATE ledger_accounts SET posted = ?, pending_out = ?, pending_in = ? WHERE id = ?",
            [(posted[a], pending_out[a], pending_in[a], a) for a in ids],
        )
        db.commit()
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


async def verify_in_process(url: str) -> tuple[float, float, Any]:
    from exchange.db.engine import make_engine
    from exchange.ledger.verify import verify_ledger
    from exchange.settings import DatabaseSettings

    engine = make_engine(DatabaseSettings(url=url))
    try:
        started, cpu = time.perf_counter(), time.process_time()
        async with engine.connect() as connection:
            report = await verify_ledger(connection)
        return time.perf_counter() - started, time.process_time() - cpu, report
    finally:
        await engine.dispose()


def verify_part(args: argparse.Namespace, root: Path) -> None:
    from exchange.db.migrate import upgrade_database

    path = root / "verify.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade_database(url)
    print(f"verify: bulk-loading {args.entries:,} entries into {path} ...", flush=True)
    started = time.perf_counter()
    bulk_load(path, args.entries)
    with closing(sqlite3.connect(path)) as db:
        sizes = db.execute(
            "SELECT (SELECT COUNT(*) FROM ledger_entries), (SELECT COUNT(*) FROM ledger_lines), "
            "(SELECT COUNT(*) FROM ledger_accounts), (SELECT COUNT(*) FROM ledger_holds)"
        ).fetchone()
    size_mb = path.stat().st_size / 1e6
    print(
        f"  loaded in {time.perf_counter() - started:.1f} s: {sizes[0]:,} entries, {sizes[1]:,} lines, "
        f"{sizes[2]:,} accounts, {sizes[3]:,} holds; {size_mb:,.0f} MB",
        flush=True,
    )
    print(f"  machine load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    per_million = 1e6 / max(1, sizes[0])
    seconds, cpu, report = asyncio.run(verify_in_process(url))
    print(
        f"verify_ledger() in-process, through the async session, over {report.entries:,} entries: {seconds:.2f} s "
        f"(CPU {cpu:.2f} s, {cpu * per_million:.2f} s per million entries; load {os.getloadavg()[0]:.1f}), "
        f"{'clean' if report.clean else report.violations[:3]}",
        flush=True,
    )
    from exchange.ledger.verify import verify_sqlite

    started, cpu = time.perf_counter(), _cpu()
    report = verify_sqlite(path)
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    print(
        f"verify_sqlite() in-process (what the CLI runs on SQLite) over {report.entries:,} entries: {seconds:.2f} s "
        f"(CPU {cpu:.2f} s, {cpu * per_million:.2f} s per million entries; load {os.getloadavg()[0]:.1f}), "
        f"{'clean' if report.clean else report.violations[:3]}",
        flush=True,
    )
    env = os.environ | {"DATABASE_URL": url, "DATA_DIR": str(root / "data")}
    command = [sys.executable, "-m", "exchange.cli", "ledger", "verify"]
    started, cpu = time.perf_counter(), _cpu()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    said = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-300:]
    print(
        f"`exchange ledger verify` (CLI, a fresh process, start-up included) over {sizes[0]:,} entries: "
        f"{seconds:.2f} s (CPU {cpu:.2f} s; load {os.getloadavg()[0]:.1f}), exit {done.returncode}: {said}",
        flush=True,
    )


def _cpu() -> float:
    """CPU seconds of this process (every thread) and of the processes it waited for (the CLI)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=5000, help="single-entry calls in part 1 (a)")
    parser.add_argument("--closes", type=int, default=500, help="auction closes (post_many calls) in part 1 (b)")
    parser.add_argument("--bidders", type=int, default=10, help="deposits released per close in part 1 (b)")
    parser.add_argument("--entries", type=int, default=1_000_000, help="entries in the ledger part 2 verifies")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL for part 1 (default: a fresh SQLite file)")
    parser.add_argument("--skip-postings", action="store_true")
    parser.add_argument("--skip-verify", action="store_true")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="sx-bench-ledger-"))
    probe = fsync_probe(root)
    print(f"disk under {root}: fsync p50 {probe['p50']:.2f} ms, p99 {probe['p99']:.2f} ms", flush=True)
    if not args.skip_postings:
        asyncio.run(postings(args, root))
    if not args.skip_verify:
        verify_part(args, root)


if __name__ == "__main__":
    main()
