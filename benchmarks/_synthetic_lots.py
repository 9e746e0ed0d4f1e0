"""Synthetic lots for benchmarks: plausible spec values for every leaf category, bulk-inserted fast."""

from __future__ import annotations

import json
import multiprocessing
import random
from collections import deque
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Org
from exchange.lots.index import index_rows, spec_number_columns
from exchange.lots.models import Lot, LotInvite, LotSpecValue, LotTerm
from exchange.specs.catalog import Category, SpecField, get_catalog

__all__ = ["NUMBER_RANGES", "WORDS", "WORDS_ZH", "copy_lots", "load_lots"]

NUMBER_RANGES: dict[str, tuple[float, float]] = {
    "textiles/fabric.width": (90, 320),
    "textiles/fabric.weight": (60, 450),
    "textiles/fabric.length": (200, 20000),
    "metals/sheet.thickness": (0.3, 8),
    "metals/sheet.width": (600, 2000),
    "plastics/resin.melt_flow_index": (0.5, 60),
    "electronics/power-bank.capacity": (5000, 30000),
    "electronics/power-bank.output": (10, 100),
    "packaging/film.thickness": (8, 80),
    "chemicals/industrial.purity": (90, 99.99),
    "food/packaged.net_weight": (30, 2000),
}
WORDS = [
    "overrun",
    "surplus",
    "export",
    "cancelled",
    "order",
    "stock",
    "clearance",
    "factory",
    "premium",
    "rolls",
    "bales",
    "pallets",
    "cartons",
    "boxed",
]
WORDS_ZH = ["尾货", "库存", "外贸", "原单", "清仓", "工厂", "现货", "整批"]
CITIES = [("Suzhou", "Jiangsu"), ("Ningbo", "Zhejiang"), ("Foshan", "Guangdong"), ("Dongguan", "Guangdong"),
          ("Qingdao", "Shandong"), ("Xiamen", "Fujian"), ("Wuxi", "Jiangsu"), ("Tianjin", "Tianjin")]  # fmt: skip


def _value(rng: random.Random, category: Category, spec_field: SpecField) -> Any:
    if spec_field.type == "number":
        low, high = NUMBER_RANGES.get(f"{category.code}.{spec_field.key}", (1, 1000))
        return round(rng.uniform(low, high), 2)
    if spec_field.type == "enum":
        return rng.choice(spec_field.choices)
    if spec_field.type == "bool":
        return rng.random() < 0.5
    return f"{rng.choice(WORDS)} {rng.randint(1, 999)}"


def _lot(
    rng: random.Random, lot_id: int, seller_ids: list[int], leaves: list[Category], now: datetime
) -> dict[str, Any]:
    category = rng.choice(leaves)
    specs = {f.key: _value(rng, category, f) for f in category.fields if f.required or rng.random() < 0.6}
    grade = rng.choices("ABC", weights=(5, 3, 2))[0]
    status = rng.choices(("live", "sold", "expired", "draft", "awarded"), weights=(80, 6, 6, 4, 4))[0]
    mode = rng.choice(("fixed_price", "sealed_bid"))
    published = now - timedelta(minutes=rng.randint(1, 60 * 24 * 12)) if status != "draft" else None
    city, region = rng.choice(CITIES)
    price = rng.randint(5_000, 900_000) * 100
    return {
        "id": lot_id,
        "seller_org_id": rng.choice(seller_ids),
        "title": f"{category.name} {rng.choice(WORDS)} lot {lot_id}",
        "description": " ".join(rng.choices(WORDS, k=8)) + f" {rng.choice(WORDS_ZH)}",
        "category": category.code,
        "specs": specs,
        "quantity_value": Decimal(rng.randint(100, 50_000)),
        "quantity_unit": "pcs",
        "grade": grade,
        "defects": "" if grade == "A" else "Minor marks on outer packaging",
        "source": rng.choice(("overrun", "season_end", "slow_moving", "returns", "other")),
        "reference_price_minor": None,
        "currency": "CNY",
        "location_city": city,
        "location_region": region,
        "location_country": "CN",
        "certifications": [],
        "best_before": None,
        "sale_mode": mode,
        "price_minor": price if mode == "fixed_price" else None,
        "reserve_price_minor": price if mode == "sealed_bid" else None,
        "min_bid_minor": price // 2 if mode == "sealed_bid" else None,
        "second_price": False,
        "deposit_percent": None,
        "closes_at": published + timedelta(days=14) if published and mode == "sealed_bid" else None,
        "rfq_enabled": True,
        "visibility": "private" if rng.random() < 0.1 else "public",
        "status": status,
        "review_reason": "",
        "listing_days": 14,
        "published_at": published,
        "ends_at": published + timedelta(days=14) if published else None,
        "winning_amount_minor": price if status in ("sold", "awarded") else None,
        "created_at": published or now,
        "updated_at": published or now,
    }


def _chunks(total: int, size: int) -> Iterator[range]:
    for start in range(1, total + 1, size):
        yield range(start, min(start + size, total + 1))


def _insert_rows(connection: Connection, table: str, rows: list[dict[str, Any]], *, typed: Any = None) -> None:
    """Rows straight to the driver: millions of rows without SQLAlchemy's per-statement parameter handling, the
    larger part of the build time. `typed`: the model table whose column types convert the values first (JSON,
    dates, decimals: the same conversions SQLAlchemy applies); index rows are plain numbers and strings."""
    if not rows:
        return
    columns = list(rows[0])
    if typed is not None:
        convert = [typed.c[name].type._cached_bind_processor(connection.dialect) for name in columns]
        rows = [
            {name: (to(row[name]) if to is not None else row[name]) for name, to in zip(columns, convert, strict=True)}
            for row in rows
        ]
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    names, marks = ", ".join(columns), ", ".join([mark] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 (names from the models or the caller)
    connection.exec_driver_sql(sql, [tuple(row[c] for c in columns) for row in rows])


_SELLER_IDS = list(range(1, 201))
_BUYER_IDS = list(range(201, 251))


def _orgs(now: datetime) -> list[dict[str, Any]]:
    orgs = [{"name": f"Seller {i}", "kind": "seller", "verified": True, "created_at": now} for i in range(200)]
    return orgs + [{"name": f"Buyer {i}", "kind": "buyer", "verified": True, "created_at": now} for i in range(50)]


_Chunk = tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]


def _lot_chunk(seed: int, first: int, last: int, now: datetime) -> _Chunk:
    """(lots, spec value rows, term rows, invitations) of lots `first`..`last`, from their own random stream."""
    rng = random.Random(seed * 1_000_003 + first)
    leaves = get_catalog().leaves()
    lots = [_lot(rng, lot_id, _SELLER_IDS, leaves, now) for lot_id in range(first, last + 1)]
    specs: list[dict[str, Any]] = []
    terms: list[dict[str, Any]] = []
    invites: list[dict[str, Any]] = []
    for lot in lots:
        spec_rows, term_rows = index_rows(lot["id"], lot)
        lot.update(spec_number_columns(lot["category"], spec_rows))
        specs += spec_rows
        terms += term_rows
        if lot["visibility"] == "private":
            invites += [{"lot_id": lot["id"], "org_id": org} for org in rng.sample(_BUYER_IDS, 3)]
    return lots, specs, terms, invites


def _lot_chunks(count: int, seed: int, now: datetime) -> Iterator[_Chunk]:
    """`_lot_chunk`s of 5 000 lots in order, made by two helper processes while the caller writes the last one
    (two helpers, at most four chunks ahead); the same rows whoever makes them."""
    context = multiprocessing.get_context("fork")
    with context.Pool(processes=2) as pool:
        pending: deque[Any] = deque()
        for chunk in _chunks(count, 5_000):
            pending.append(pool.apply_async(_lot_chunk, (seed, chunk.start, chunk.stop - 1, now)))
            if len(pending) >= 4:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def load_lots(
    connection: Connection,
    count: int,
    *,
    seed: int = 42,
    progress: Callable[[str], None] = print,
    terms_table: str = LotTerm.__tablename__,
) -> list[int]:
    """Insert `count` lots with their spec values and terms (plus sellers and a few buyers); returns buyer ids.

    `terms_table`: where the term rows go (a staging table the caller copies into `lot_terms` in index order)."""
    now = datetime.now(UTC)
    connection.execute(insert(Org), _orgs(now))
    done = 0
    for lots, specs, terms, invites in _lot_chunks(count, seed, now):
        _insert_rows(connection, Lot.__tablename__, lots, typed=Lot.__table__)
        _insert_rows(connection, LotSpecValue.__tablename__, specs)
        _insert_rows(connection, terms_table, terms)
        if invites:
            connection.execute(insert(LotInvite), invites)
        done += len(lots)
        if done % 50_000 == 0 or done == count:
            progress(f"  {done:>9,} lots inserted")
    return _BUYER_IDS


async def copy_lots(session: AsyncSession, count: int, *, seed: int = 42) -> None:
    """`load_lots` for PostgreSQL: the same lots, written with COPY through asyncpg."""
    now = datetime.now(UTC)
    await session.execute(insert(Org), _orgs(now))
    await session.commit()
    raw = await (await session.connection()).get_raw_connection()
    copier: Any = raw.driver_connection
    done = 0
    for lots, specs, terms, invites in _lot_chunks(count, seed, now):
        for lot in lots:
            lot["specs"], lot["certifications"] = json.dumps(lot["specs"]), json.dumps(lot["certifications"])
        for table, rows in (("lots", lots), ("lot_spec_values", specs), ("lot_terms", terms), ("lot_invites", invites)):
            if rows:
                columns = list(rows[0])
                await copier.copy_records_to_table(
                    table, records=[tuple(row[c] for c in columns) for row in rows], columns=columns
                )
        done += len(lots)
        print(f"  {done:>7,} lots copied")
    await session.commit()
