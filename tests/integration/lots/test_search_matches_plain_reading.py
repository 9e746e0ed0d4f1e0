"""The search's fast path (number specs checked on the covering index's `spec_n` columns, `q` on the term
index, counts stopped at a cap) finds exactly what a plain reading of the lots finds: for random lots and
random filters, the same lots in the same order, the same total and the same facet counts, whoever asks.

The plain reading loads the test's lots and filters them in Python: the visibility rule (`may_see_lot`), the
spec values as the seller gave them converted to SI base units, the words of `q` looked for among the lot's
words (whole, or as the start of a word for three letters or more), and the sort orders written out.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.accounts.principal import Principal
from exchange.accounts.services import load_principal
from exchange.lots import services
from exchange.lots.index import lot_index_rows
from exchange.lots.models import Lot, LotInvite
from exchange.lots.search import SORTS, _query, parse_lot_query, search_lots
from exchange.lots.visibility import may_see_lot
from exchange.specs.catalog import get_catalog
from exchange.specs.units import to_base
from tests.conftest import Actor, OrgFactory
from tests.support.catalogue import unique_place
from tests.support.lots import live_lot

LOTS = 36
WIDTHS_CM = (90, 120, 140, 150, 160, 180, 220)
WEIGHTS_GSM = (80, 120, 180, 180, 240, 320)
LENGTHS_M = (None, 100, 500, 2000)
FIBRES = ("cotton", "linen", "polyester")
WORDS = ("export", "exports", "overrun", "overruns", "clearance", "denim", "dyed", "尾货", "外贸", "库存", "清仓")
PREFIXES = ("exp", "expo", "clear", "overr", "den", "dye", "ove")  # three letters or more: the start of a word
QUERIES = (*WORDS, *PREFIXES, "overrun denim", "ex", "尾", "外贸尾货", "贸尾", "库存 export", "silk", "丝绸")


@dataclass
class Pool:
    place: str
    seller: Actor
    invited: Actor
    stranger: Actor


async def _make_lots(db: async_sessionmaker[AsyncSession], pool: Pool) -> None:
    """Fabric lots with every mix of specs (weight and length left out now and then), grades, sale modes,
    prices and visibility; some withdrawn, some left as drafts."""
    rng = random.Random(20261207)
    start = datetime.now(UTC) - timedelta(hours=2)
    for number in range(LOTS):
        specs: dict[str, Any] = {
            "width": f"{rng.choice(WIDTHS_CM)} cm",
            "weight": f"{rng.choice(WEIGHTS_GSM)} g/m2",
            "fibre": rng.choice(FIBRES),
        }
        length = rng.choice(LENGTHS_M)
        if length is not None:
            specs["length"] = f"{length} m"
        mode = rng.choice(("fixed_price", "sealed_bid"))
        price = rng.choice((1_000_000, 2_500_000, 2_500_000, 9_000_000))
        words = rng.sample(WORDS, rng.randint(0, 3))
        terms: dict[str, Any] = {
            "title": " ".join(["Fabric", *words[:2]]),
            "description": " ".join(["Rolls", *words[2:]]),
            "sale_mode": mode,
            "specs": specs,
            "grade": (grade := rng.choice("ABC")),
            "defects": "" if grade == "A" else "Faded selvedge on a few rolls",
            "location": {"city": pool.place, "region": "Jiangsu", "country": "CN"},
            "published_at": start + timedelta(minutes=rng.choice((1, 2, 3, 5, 8)) * number % 97),
            "closes_at": start + timedelta(days=rng.choice((2, 3, 4))),
        }
        if mode == "fixed_price":
            terms["price_minor"] = price
            del terms["closes_at"]
        else:
            terms["min_bid_minor"] = price if rng.random() < 0.7 else None
        if rng.random() < 0.2:
            terms["visibility"] = "private"
            terms["invited_org_ids"] = [pool.invited.org_id]
        lot_id = await live_lot(db, pool.seller, **terms)
        if rng.random() < 0.15:
            async with db() as session, session.begin():
                principal = await load_principal(session, pool.seller.user_id)
                assert principal is not None
                await services.withdraw_lot(session, principal, lot_id)


@pytest.fixture(scope="module")
async def pool(db: async_sessionmaker[AsyncSession], make_org: OrgFactory) -> Pool:
    made = Pool(unique_place(), await make_org("seller"), await make_org("buyer"), await make_org("buyer"))
    await _make_lots(db, made)
    return made


def _base(lot: Lot, key: str) -> float | None:
    spec_field = get_catalog().get(lot.category).field(key)  # type: ignore[union-attr]
    raw = (lot.specs or {}).get(key)
    if spec_field is None or spec_field.type != "number" or raw is None:
        return None
    return to_base(float(raw), spec_field.unit)


def _has_words(lot: Lot, q_terms: list[tuple[str, bool]]) -> bool:
    words = {row["term"] for row in lot_index_rows(lot)[1]}
    return all(any(w == term or (prefix and w.startswith(term)) for w in words) for term, prefix in q_terms)


def _matches(lot: Lot, params: dict[str, list[str]], *, with_grade: bool) -> bool:
    query = parse_lot_query(params, get_catalog())
    if not _has_words(lot, query.terms):
        return False
    if lot.status not in query.statuses or (query.categories and lot.category not in query.categories):
        return False
    if with_grade and query.grades and lot.grade not in query.grades:
        return False
    if query.modes and lot.sale_mode not in query.modes:
        return False
    for spec in query.specs:
        if spec.texts:
            if str((lot.specs or {}).get(spec.key, "")).lower() not in spec.texts:
                return False
            continue
        value = _base(lot, spec.key)
        if value is None:
            return False
        if (spec.low is not None and value < spec.low) or (spec.high is not None and value > spec.high):
            return False
        if spec.numeric_values and value not in spec.numeric_values:
            return False
    return True


def _asking(lot: Lot) -> int | None:
    return lot.price_minor if lot.price_minor is not None else lot.min_bid_minor


def _sorted(lots: list[Lot], sort: str) -> list[Lot]:
    """The sort orders written out: missing keys last, ties by id (newest and price_desc: highest id first)."""
    if sort == "closing":
        return sorted(lots, key=lambda lot: (lot.ends_at is None, lot.ends_at or datetime.min, lot.id))
    if sort == "price_asc":
        return sorted(lots, key=lambda lot: (_asking(lot) is None, _asking(lot) or 0, lot.id))
    if sort == "price_desc":
        return sorted(lots, key=lambda lot: (_asking(lot) is None, -(_asking(lot) or 0), -lot.id))
    return sorted(
        lots, key=lambda lot: (lot.published_at is None, -(lot.published_at or datetime.min).timestamp(), -lot.id)
    )


async def _plain_reading(
    session: AsyncSession, principal: Principal | None, place: str, params: dict[str, list[str]]
) -> tuple[list[int], int, dict[str, int], dict[str, int]]:
    lots = list(await session.scalars(select(Lot).where(Lot.location_city == place)))
    org_id = principal.org_id if principal is not None else None
    invited = set(await session.scalars(select(LotInvite.lot_id).where(LotInvite.org_id == org_id)))
    seen = [
        lot
        for lot in lots
        if may_see_lot(
            principal,
            seller_org_id=lot.seller_org_id,
            visibility=lot.visibility,
            status=lot.status,
            invited=lot.id in invited,
        )
    ]
    matching = [lot for lot in seen if _matches(lot, params, with_grade=True)]
    facet_base = [lot for lot in seen if _matches(lot, params, with_grade=False)]
    grades: dict[str, int] = {}
    for lot in facet_base:
        grades[lot.grade] = grades.get(lot.grade, 0) + 1
    categories: dict[str, int] = {}
    for lot in matching:
        for code in ("textiles", lot.category):
            categories[code] = categories.get(code, 0) + 1
    query = parse_lot_query(params, get_catalog())
    page = _sorted(matching, query.sort)[query.offset : query.offset + query.limit]
    return [lot.id for lot in page], len(matching), categories, dict(sorted(grades.items()))


def _width() -> st.SearchStrategy[str]:
    """Widths the lots have (in cm or m: the same width either way) and ones outside them all."""
    return st.sampled_from([f"{w}cm" for w in WIDTHS_CM] + [f"{w / 100}m" for w in WIDTHS_CM] + ["85cm", "230cm"])


@st.composite
def _fabric_specs(draw: st.DrawFn) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for op in ("gte", "lte"):
        if draw(st.booleans()):
            params[f"spec.width.{op}"] = [draw(_width())]
    if draw(st.booleans()):
        params[f"spec.weight.{draw(st.sampled_from(('gte', 'lte')))}"] = [f"{draw(st.sampled_from(WEIGHTS_GSM))} g/m2"]
    if draw(st.booleans()):
        params["spec.length.gte"] = [f"{draw(st.sampled_from((50, 100, 500, 2000)))} m"]
    if draw(st.booleans()):
        params["spec.width"] = [draw(st.sampled_from([f"{w}cm" for w in WIDTHS_CM]))]
    if draw(st.booleans()):
        params["spec.fibre"] = [draw(st.sampled_from(FIBRES))]
    return params


@st.composite
def _filters(draw: st.DrawFn) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    category = draw(st.sampled_from((None, "textiles", "textiles/fabric", "electronics/power-bank")))
    if category:
        params["category"] = [category]
    if draw(st.booleans()):
        params["grade"] = [",".join(draw(st.lists(st.sampled_from("ABC"), min_size=1, max_size=3, unique=True)))]
    if draw(st.booleans()):
        params["mode"] = [draw(st.sampled_from(("fixed_price", "sealed_bid")))]
    if draw(st.booleans()):
        params["status"] = [draw(st.sampled_from(("live", "live,withdrawn", "withdrawn", "draft")))]
    if category == "electronics/power-bank":
        params["spec.capacity.gte"] = [draw(st.sampled_from(("5000 mAh", "5 Ah")))]
    else:
        params.update(draw(_fabric_specs()))
    if draw(st.integers(min_value=0, max_value=2)):  # two searches in three have words
        params["q"] = [draw(st.sampled_from(QUERIES))]
    params["sort"] = [draw(st.sampled_from(SORTS))]
    params["limit"] = [str(draw(st.integers(min_value=1, max_value=12)))]
    params["offset"] = [str(draw(st.integers(min_value=0, max_value=8)))]
    return params


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=_filters(), who=st.sampled_from(("anonymous", "seller", "invited", "stranger")))
async def test_the_fast_search_finds_what_a_plain_reading_of_the_lots_finds(
    db: async_sessionmaker[AsyncSession], pool: Pool, params: dict[str, list[str]], who: str
) -> None:
    await _same_as_plain_reading(db, pool, params, who)


async def _same_as_plain_reading(
    db: async_sessionmaker[AsyncSession], pool: Pool, params: dict[str, list[str]], who: str
) -> None:
    params = {**params, "location": [pool.place]}
    actor = {"seller": pool.seller, "invited": pool.invited, "stranger": pool.stranger}.get(who)
    async with db() as session:
        principal = await load_principal(session, actor.user_id) if actor is not None else None
        _, items, total, facets, _ = await search_lots(session, principal, params)
        expected = await _plain_reading(session, principal, pool.place, params)
    assert ([lot.id for lot in items], total, facets.category, facets.grade) == expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=_filters(), cap=st.integers(min_value=1, max_value=LOTS))
async def test_past_the_cap_the_total_says_at_least_the_cap_and_the_page_stays_the_same(
    db: async_sessionmaker[AsyncSession], pool: Pool, params: dict[str, list[str]], cap: int
) -> None:
    params = {**params, "location": [pool.place]}
    async with db() as session:
        with patch.object(_query, "TOTAL_CAP", cap):
            found = await search_lots(session, None, params)
        ids, total, categories, grades = await _plain_reading(session, None, pool.place, params)
    assert [lot.id for lot in found.items] == ids
    assert (found.total, found.total_is_lower_bound) == (min(total, cap), total > cap)
    if sum(grades.values()) <= cap:  # every match of the facets counted: exact
        assert (found.facets.category, found.facets.grade) == (categories, grades)
    else:  # counted on at most cap + 1 of them
        assert sum(found.facets.grade.values()) == cap + 1
        assert all(count <= grades[grade] for grade, count in found.facets.grade.items())
        assert all(count <= categories[code] for code, count in found.facets.category.items())


@st.composite
def _word_searches(draw: st.DrawFn) -> dict[str, list[str]]:
    """`q` with few other filters, so most searches find some lots."""
    params = {"q": [draw(st.sampled_from(QUERIES))], "sort": [draw(st.sampled_from(SORTS))], "limit": ["8"]}
    if draw(st.booleans()):
        params["grade"] = [draw(st.sampled_from("ABC"))]
    return params


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=_word_searches(), who=st.sampled_from(("anonymous", "invited")))
async def test_words_find_what_a_plain_reading_of_the_lots_finds(
    db: async_sessionmaker[AsyncSession], pool: Pool, params: dict[str, list[str]], who: str
) -> None:
    await _same_as_plain_reading(db, pool, params, who)
