"""Alert fan-out speed: one published lot against 1 000 000 saved searches, and the writes for 1 000 alerts.

    scripts/bench alerts [--searches 1000000] [--lots 2000] [--sql-searches 200000] [--notify 1000]

1. Builds the in-memory saved-search index (`exchange.alerts.index.SearchIndex`) from `--searches`
   synthetic searches: 13 leaf categories (80 % name a leaf, 20 % its parent), a grade (70 %), a sale mode
   (30 %), a price ceiling (70 %), a window on one or two spec values in SI units, one value of a listed spec
   (fibre=cotton), and 5 % with words or a place. Prints build time, buckets, memory.
2. Matches `--lots` synthetic lots against it: p50/p95/p99 per lot and the matches found (target: p99 < 10 ms).
3. Loads `--sql-searches` saved searches from a fresh SQLite database into a worker's index, as a worker
   does at its first fan-out (rows written by the saved-search parser's JSON).
4. Writes the alerts of one lot that `--notify` buyer orgs' searches match, through the service the fan-out
   job runs (`alert_lot`: match, visibility, alerts, in-app notifications, outbox mail), and commits
   (target: 1 000 within 1 s).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs

from sqlalchemy import func, insert, select

from exchange.accounts.models import Org, User
from exchange.alerts.index import SearchIndex
from exchange.alerts.matching import LotFeatures, criteria_of
from exchange.alerts.models import SavedSearch, SavedSearchAlert
from exchange.alerts.services.fanout import AlertIndex, alert_lot
from exchange.db.engine import make_engine, make_session_maker
from exchange.db.migrate import upgrade_database
from exchange.lots.models import Lot
from exchange.lots.search import LotQuery, SpecFilter, parse_lot_query
from exchange.mail.models import OutboxMail
from exchange.notifications.models import Notification
from exchange.settings import DatabaseSettings
from exchange.specs.catalog import get_catalog

__all__ = ["main"]

MATCH_P99_TARGET_MS = 10.0
NOTIFY_TARGET_S = 1.0
WORDS = ["cotton", "twill", "steel", "resin", "carton", "gift", "navy", "export", "overrun"]
CITIES = ["suzhou", "ningbo", "shanghai", "shenzhen", "guangzhou", "hangzhou"]


def _numeric_keys() -> dict[str, list[str]]:
    catalog = get_catalog()
    return {
        code: [f.key for f in category.fields if f.type == "number"]
        for code, category in catalog.categories.items()
        if category.is_leaf
    }


def _choice_keys() -> dict[str, list[tuple[str, list[str]]]]:
    catalog = get_catalog()
    return {
        code: [(f.key, list(f.choices)) for f in category.fields if f.type == "enum" and f.choices]
        for code, category in catalog.categories.items()
        if category.is_leaf
    }


def _synthetic_searches(rng: random.Random, count: int, keys: dict[str, list[str]]) -> Iterator[tuple[int, LotQuery]]:
    """Searches as buyers write them: a category (80 % a leaf, 20 % a parent), usually a grade, a price
    ceiling, a window on one or two numeric specs (in SI units, as the parser leaves them) and/or one value
    of a listed spec; 5 % add words or a place."""
    catalog = get_catalog()
    choices = _choice_keys()
    leaves = list(keys)
    for search_id in range(1, count + 1):
        query = LotQuery()
        leaf = rng.choice(leaves)
        if rng.random() < 0.8:
            query.category, query.categories = leaf, [leaf]
        else:
            parent = leaf.split("/")[0]
            query.category, query.categories = parent, catalog.with_descendants(parent)
        if rng.random() < 0.7:
            query.grades = rng.sample(["A", "B", "C"], rng.choice([1, 1, 2]))
        if rng.random() < 0.3:
            query.modes = [rng.choice(["sealed_bid", "fixed_price"])]
        if rng.random() < 0.7:
            query.currency = "CNY"
            query.price_max = rng.randint(1_000_00, 200_000_00)
            if rng.random() < 0.3:
                query.price_min = query.price_max // rng.randint(2, 10)
        numeric = keys.get(leaf) or []
        for key in rng.sample(numeric, min(len(numeric), rng.choice([1, 2, 2]))):
            low = rng.uniform(0, 95)
            query.specs.append(SpecFilter(key=key, low=low, high=low + rng.uniform(3, 20)))
        enums = choices.get(leaf) or []
        if enums and (not numeric or rng.random() < 0.5):
            key, values = rng.choice(enums)
            query.specs.append(SpecFilter(key=key, texts=[rng.choice(values).lower()]))
        if rng.random() < 0.05:
            if rng.random() < 0.5:
                query.terms = [(rng.choice(WORDS), False)]
            else:
                query.location = rng.choice(CITIES)
        yield search_id, query


def _synthetic_lots(rng: random.Random, count: int, keys: dict[str, list[str]]) -> list[LotFeatures]:
    choices = _choice_keys()
    lots = []
    for lot_id in range(1, count + 1):
        category = rng.choice(list(keys))
        texts = {key: rng.choice(values).lower() for key, values in choices.get(category, [])}
        lots.append(
            LotFeatures(
                lot_id=lot_id,
                category=category,
                grade=rng.choice("ABC"),
                mode=rng.choice(["sealed_bid", "fixed_price"]),
                currency="CNY",
                price=rng.randint(500_00, 300_000_00) if rng.random() < 0.9 else None,
                city=rng.choice(CITIES),
                region="",
                country="CN",
                numbers={key: rng.uniform(0, 100) for key in keys[category]},
                texts=texts,
                terms=frozenset(rng.sample(WORDS, 3)),
            )
        )
    return lots


def _percentiles(samples_ms: list[float]) -> str:
    cuts = statistics.quantiles(sorted(samples_ms), n=100, method="inclusive")
    return f"p50 {cuts[49]:6.3f} ms   p95 {cuts[94]:6.3f} ms   p99 {cuts[98]:6.3f} ms   max {max(samples_ms):6.3f} ms"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


def _in_memory(searches: int, lots: int, seed: int) -> None:
    rng = random.Random(seed)
    keys = _numeric_keys()
    print(f"== 1. Index of {searches:,} saved searches (synthetic; load average {_load()}) ==")
    drawn = list(_synthetic_searches(rng, searches, keys))  # the searches themselves are not the index's memory
    gc.collect()
    before, before_now = _rss_mb(), _current_rss_mb()
    started, started_cpu = time.perf_counter(), time.process_time()
    index = SearchIndex()
    index.add_many(drawn)
    filed, filed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    started, started_cpu = time.perf_counter(), time.process_time()
    index.compile()
    compiled, compiled_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    sizes = index.bucket_sizes()
    del drawn
    gc.collect()
    print(
        f"filed in {filed:.1f} s (CPU {filed_cpu:.1f} s), last columns built in {compiled:.1f} s "
        f"(CPU {compiled_cpu:.1f} s); {len(sizes)} buckets (largest {max(sizes.values()):,} rows, "
        f"{sum(sizes.values()):,} rows in all)"
    )
    print(
        f"memory: the columns hold {index.nbytes / 2**20:,.0f} MB ({index.nbytes / searches:.0f} bytes per search); "
        f"RSS grew by {_current_rss_mb() - before_now:,.0f} MB (peak by {_rss_mb() - before:,.0f} MB)"
    )

    print(f"\n== 2. Matching {lots:,} published lots against the index ==")
    sample = _synthetic_lots(rng, lots, keys)
    for lot in sample[:20]:  # warm-up
        index.match(lot)
    gc.collect()
    gc.disable()
    timings: list[float] = []
    cpu: list[float] = []
    found: list[int] = []
    for lot in sample:
        started, started_cpu = time.perf_counter(), time.thread_time()
        matched = index.match(lot)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        timings.append((time.perf_counter() - started) * 1000)
        found.append(len(matched))
    gc.enable()
    p99 = statistics.quantiles(sorted(timings), n=100, method="inclusive")[98]
    cpu_p99 = statistics.quantiles(sorted(cpu), n=100, method="inclusive")[98]
    print(f"find matches per lot, wall time: {_percentiles(timings)}")
    print(f"                      CPU time:  {_percentiles(cpu)}  (the machine's load: {os.getloadavg()[0]:.1f})")
    print(
        f"matches per lot: mean {statistics.mean(found):,.0f}, median {statistics.median(found):,.0f}, "
        f"max {max(found):,}"
    )
    print(
        f"target p99 < {MATCH_P99_TARGET_MS:.0f} ms: CPU time {'met' if cpu_p99 < MATCH_P99_TARGET_MS else 'NOT met'}, "
        f"wall time {'met' if p99 < MATCH_P99_TARGET_MS else 'NOT met'} (at load {_load()}, wall time is mostly "
        "waiting for a CPU)"
    )


async def _database(directory: Path, sql_searches: int, notify: int, seed: int) -> None:
    url = f"sqlite+aiosqlite:///{directory / 'alerts.db'}"
    upgrade_database(url)
    engine = make_engine(DatabaseSettings(url=url))
    session_maker = make_session_maker(engine)
    rng = random.Random(seed + 1)
    keys = _numeric_keys()
    now = datetime.now(UTC)
    try:
        async with session_maker() as session, session.begin():
            await session.execute(
                insert(Org),
                [{"name": f"Bench buyer {i}", "kind": "buyer", "verified": True} for i in range(notify + 1)]
                + [{"name": "Bench seller", "kind": "seller", "verified": True}],
            )
            orgs = list(await session.scalars(select(Org.id).where(Org.kind == "buyer").order_by(Org.id)))
            seller = await session.scalar(select(Org.id).where(Org.kind == "seller"))
            await session.execute(
                insert(User),
                [{"email": f"b{org}@example.com", "name": "B", "password_hash": "-", "org_id": org} for org in orgs],
            )
            owner = await session.scalar(select(User.id).where(User.org_id == orgs[0]))

        print(f"\n== 3. Loading {sql_searches:,} saved searches from SQLite into a worker's index ==")
        batch: list[dict[str, object]] = []
        started = time.perf_counter()
        for _search_id, query in _synthetic_searches(rng, sql_searches, keys):
            batch.append(
                {
                    "org_id": orgs[0],
                    "user_id": owner,
                    "name": "bench",
                    "query": "",
                    "frequency": "instant",
                    "criteria": criteria_of(query),
                    "created_at": now,
                }
            )
            if len(batch) == 20_000:
                async with session_maker() as session, session.begin():
                    await session.execute(insert(SavedSearch), batch)
                batch = []
        if batch:
            async with session_maker() as session, session.begin():
                await session.execute(insert(SavedSearch), batch)
        print(f"written in {time.perf_counter() - started:.1f} s")
        alerts = AlertIndex()
        started = time.perf_counter()
        async with session_maker() as session:
            index = await alerts.refresh(session)
        index.compile()
        print(
            f"loaded into the index in {time.perf_counter() - started:.1f} s ({index.size:,} searches, "
            f"columns {index.nbytes / 2**20:,.0f} MB; load average {_load()})"
        )

        print(f"\n== 4. One lot that {notify:,} buyer orgs' searches match: alerts, notifications, mail ==")
        place = "Benchtown"
        strings = [
            f"category=textiles/fabric&location={place}",
            f"category=textiles&spec.width.gte=140cm&location={place}",
            f"location={place}&price_max=50000.00",
        ]
        async with session_maker() as session, session.begin():
            await session.execute(
                insert(SavedSearch),
                [
                    {
                        "org_id": org,
                        "user_id": owner,
                        "name": f"Bench search {i}",
                        "query": strings[i % 3],
                        "frequency": "instant",
                        "criteria": criteria_of(parse_lot_query(parse_qs(strings[i % 3]), get_catalog())),
                        "created_at": now,
                    }
                    for i, org in enumerate(orgs[1:])
                ],
            )
            lot = Lot(
                seller_org_id=seller,
                title="5000 m cotton twill, 150 cm wide",
                category="textiles/fabric",
                specs={"fibre": "cotton", "width": 150.0, "weight": 180.0, "length": 5000.0},
                quantity_value=Decimal(5000),
                quantity_unit="m",
                grade="A",
                sale_mode="fixed_price",
                price_minor=40_000_00,
                currency="CNY",
                location_city=place,
                status="live",
                published_at=now,
                visibility="public",
            )
            session.add(lot)
            await session.flush()
            lot_id = lot.id
        async with session_maker() as session:
            await alerts.refresh(session)
        started, started_cpu = time.perf_counter(), time.process_time()
        async with session_maker() as session, session.begin():
            fan_out = await alert_lot(session, alerts.index, lot_id, now=now)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
        async with session_maker() as session:
            counts = [
                await session.scalar(select(func.count()).select_from(model))
                for model in (SavedSearchAlert, Notification, OutboxMail)
            ]
        print(
            f"matched {fan_out.matched:,} searches; wrote {counts[0]:,} alerts, {counts[1]:,} notifications and "
            f"{counts[2]:,} mails in {elapsed * 1000:.0f} ms (committed; CPU time of this process "
            f"{cpu * 1000:.0f} ms, the machine's load: {os.getloadavg()[0]:.1f})"
        )
        print(f"target {notify:,} within {NOTIFY_TARGET_S:.0f} s: {'met' if elapsed < NOTIFY_TARGET_S else 'NOT met'}")
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--searches", type=int, default=1_000_000)
    parser.add_argument("--lots", type=int, default=2_000)
    parser.add_argument("--sql-searches", type=int, default=200_000)
    parser.add_argument("--notify", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the SQLite database")
    args = parser.parse_args()
    _in_memory(args.searches, args.lots, args.seed)
    directory = Path(tempfile.mkdtemp(prefix="bench-alerts-"))
    try:
        asyncio.run(_database(directory, args.sql_searches, args.notify, args.seed))
    finally:
        if args.keep:
            print(f"kept {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
