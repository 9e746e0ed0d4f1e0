"""The desk's fast ranking (`shortlist.best_ranked`: SQL orders lots by a score ceiling, the rules check only
the first few) against the plain one (`matches.rank`: the rules check every candidate), on random catalogues
and requests (Hypothesis): the same matches, near misses and bundle parts, in the same order, with the same
scores. Values sit on and next to the bounds, and scores tie, so the ceiling's rounding and tie-breaks count."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, delete, func, insert, select

from exchange.accounts.models import Org
from exchange.db.base import Base
from exchange.db.engine import make_engine, make_session_maker
from exchange.lots.models import Lot, LotInvite, LotSpecValue
from exchange.matching import rules, shortlist
from exchange.matching.candidates import _COLUMNS, _candidate, _spec_units, sure_failures
from exchange.matching.matches import rank
from exchange.matching.models import ProcurementRequest
from exchange.matching.needs import need_of
from exchange.orders.models import Order
from exchange.settings import DatabaseSettings
from exchange.specs.catalog import get_catalog
from exchange.specs.validation import index_entries

TODAY = date.today()
CLIENT = 9
SELLERS = (1, 2, 3, 4)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("shortlist") / "desk.db"
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(Org), [{"id": i, "name": f"Org {i}", "kind": "seller"} for i in (*SELLERS, CLIENT)])
    engine.dispose()
    return path


lots = st.lists(
    st.fixed_dictionaries(
        {
            "category": st.sampled_from(["electronics/power-bank", "electronics/power-bank", "textiles/fabric"]),
            "capacity": st.sampled_from([None, 9999.99, 10000, 10000.001, 15000, 20000, 20000, 30000, 30000]),
            "output": st.sampled_from([None, 17.9999, 18, 25, 25, 60, 60]),
            "chemistry": st.sampled_from([None, "li-ion", "lifepo4"]),
            "quantity_value": st.sampled_from([Decimal(n) for n in (0, 100, 2999, 3000, 3000, 6000, 6000, 9000)]),
            "quantity_unit": st.sampled_from(["pcs"] * 5 + ["kg"]),
            "sale_mode": st.sampled_from(["fixed_price", "sealed_bid", "rfq"]),
            "price": st.sampled_from([None, 0, 2_400_000, 6_000_000, 6_000_000, 9_000_000, 18_000_000, 18_000_100]),
            "currency": st.sampled_from(["CNY"] * 7 + ["USD"]),
            "certifications": st.sampled_from([[], ["3C"], ["3C"], ["3c", "CE"], ["CE"]]),
            "grade": st.sampled_from("ABC"),
            "place": st.sampled_from(
                [
                    ("Zhejiang", "Ningbo"),
                    (" zhejiang ", ""),
                    ("Jiangsu", "Suzhou"),
                    ("", ""),
                    ("浙江", "宁波"),
                    ("ZHEJIANG", "hangzhou"),
                ]
            ),
            "best_before": st.sampled_from([None, None, None, 10, 40, 400]),
            "seller": st.sampled_from(SELLERS),
            "private": st.sampled_from([False, False, False, True]),
            "invited": st.booleans(),
        }
    ),
    min_size=1,
    max_size=60,
)

requests = st.fixed_dictionaries(
    {
        "quantity": st.sampled_from([Decimal(100), Decimal(3000), Decimal("2999.5")]),
        "budget": st.sampled_from([(None, 6000), (800, 6000), (6000, 6000), (None, 100)]),
        "total": st.sampled_from([None, None, 18_000_000]),
        "groups": st.sampled_from(
            [
                [],
                [{"capacity": {"gte": "10000 mAh"}, "output": {"gte": "18 W"}}, {"capacity": {"gte": "20 Ah"}}],
                [{"capacity": {"gte": "10000 mAh", "lte": "20000 mAh"}}],
                [{"output": {"lte": "25 W"}, "chemistry": {"eq": "li-ion"}}],
                [{"capacity": {"eq": "10000 mAh"}}],
            ]
        ),
        "categories": st.sampled_from([["electronics/power-bank"], ["electronics"], ["electronics", "textiles"]]),
        "certificates": st.sampled_from([[], ["3C"]]),
        "grades": st.sampled_from([[], ["A", "B"]]),
        "region": st.sampled_from(["Zhejiang", "", "浙江", "suzhou"]),
        "shelf": st.sampled_from([None, 20]),
    }
)
sales = st.lists(st.integers(0, 12), min_size=len(SELLERS), max_size=len(SELLERS))
quotas = st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(0, 6))


def _fill(path: Path, drawn: list[dict[str, Any]], orders: list[int]) -> None:
    engine = create_engine(f"sqlite:///{path}")
    catalog = get_catalog()
    now = datetime.now(UTC)
    rows, specs, invites, sold = [], [], [], []
    for lot_id, lot in enumerate(drawn, start=1):
        category = catalog.categories[lot["category"]]
        values = {"capacity": lot["capacity"], "output": lot["output"], "chemistry": lot["chemistry"]}
        if lot["category"] == "textiles/fabric":
            values = {"width": 150, "fibre": "cotton"}
        values = {k: v for k, v in values.items() if v is not None}
        region, city = lot["place"]
        rows.append(
            {
                "id": lot_id,
                "seller_org_id": lot["seller"],
                "title": f"Lot {lot_id}",
                "category": lot["category"],
                "specs": values,
                "quantity_value": lot["quantity_value"],
                "quantity_unit": lot["quantity_unit"],
                "grade": lot["grade"],
                "currency": lot["currency"],
                "location_region": region,
                "location_city": city,
                "certifications": lot["certifications"],
                "best_before": TODAY + timedelta(days=30 + lot["best_before"]) if lot["best_before"] else None,
                "sale_mode": lot["sale_mode"],
                "price_minor": lot["price"] if lot["sale_mode"] == "fixed_price" else None,
                "min_bid_minor": lot["price"] if lot["sale_mode"] == "sealed_bid" else None,
                "visibility": "private" if lot["private"] else "public",
                "status": "live",
                "published_at": now,
            }
        )
        specs += [
            {"lot_id": lot_id, "key": key, "category": category.code, "num_value": num, "text_value": text}
            for key, num, text in index_entries(category, values)
        ]
        if lot["private"] and lot["invited"]:
            invites.append({"lot_id": lot_id, "org_id": CLIENT})
        if lot_id == 1:
            sold += [
                {"lot_id": 1, "buyer_org_id": CLIENT, "seller_org_id": seller, "amount_minor": 1, "currency": "CNY",
                 "status": "cancelled", "source": "purchase"}
                for seller, count in zip(SELLERS, orders, strict=True)
                for _ in range(count)
            ]  # fmt: skip
    with engine.begin() as connection:
        for model in (Order, LotInvite, LotSpecValue, Lot):
            connection.execute(delete(model))
        connection.execute(insert(Lot), rows)
        if specs:
            connection.execute(insert(LotSpecValue), specs)
        if invites:
            connection.execute(insert(LotInvite), invites)
        if sold:
            connection.execute(insert(Order), sold)
    engine.dispose()


def _request(drawn: dict[str, Any]) -> ProcurementRequest:
    low, high = drawn["budget"]
    return ProcurementRequest(
        id=1,
        client_org_id=CLIENT,
        broker_org_id=None,
        purpose="gift",
        quantity_value=drawn["quantity"],
        quantity_unit="pcs",
        budget_min_minor=low,
        budget_max_minor=high,
        budget_total_minor=drawn["total"],
        currency="CNY",
        categories=drawn["categories"],
        certificates=drawn["certificates"],
        requirement_groups=drawn["groups"],
        min_shelf_life_days=drawn["shelf"],
        deliver_by=TODAY + timedelta(days=30),
        region=drawn["region"],
        grades=drawn["grades"],
        branding=[],
        max_sellers=3,
    )


def _key(ranked: list[shortlist.Ranked]) -> list[tuple[int, int]]:
    return [(r.evaluation.candidate.lot_id, r.score.total) for r in ranked]


async def _both(path: Path, request: ProcurementRequest, wanted: tuple[int, int, int]) -> None:
    engine = make_engine(DatabaseSettings(url=f"sqlite+aiosqlite:///{path}"))
    try:
        need = need_of(request)
        async with make_session_maker(engine)() as session:
            matches, near, parts, count = await rank(session, need, CLIENT)
            best = await shortlist.best_ranked(
                session, need, CLIENT, matches=wanted[0], near_misses=wanted[1], parts=wanted[2]
            )
    finally:
        await engine.dispose()
    assert _key(best.matches) == _key(matches[: wanted[0]])
    assert _key(best.near_misses) == _key(near[: wanted[1]])
    assert _key(best.parts) == _key(parts[: wanted[2]])
    assert best.candidates == count
    event("stopped early" if best.checked < count else "read every candidate")
    event(f"more matches than shown: {len(matches) > wanted[0]}")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn_lots=lots, drawn_request=requests, orders=sales, wanted=quotas)
def test_the_shortlist_ranks_as_checking_every_candidate_does(
    database: Path,
    monkeypatch: pytest.MonkeyPatch,
    drawn_lots: list[dict[str, Any]],
    drawn_request: dict[str, Any],
    orders: list[int],
    wanted: tuple[int, int, int],
) -> None:
    monkeypatch.setattr(shortlist, "BATCH", 3)  # several looks at whether the lists are settled
    _fill(database, drawn_lots, orders)
    asyncio.run(_both(database, _request(drawn_request), wanted))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn_lots=lots, drawn_request=requests, orders=sales)
def test_each_lots_ceiling_is_at_least_its_score_and_sure_failures_are_failures(
    database: Path, drawn_lots: list[dict[str, Any]], drawn_request: dict[str, Any], orders: list[int]
) -> None:
    _fill(database, drawn_lots, orders)
    need = need_of(_request(drawn_request))
    specs = shortlist.spec_columns(need)
    values = {key: spec.num_value for key, spec in specs.items()}
    by_seller = (
        select(Order.seller_org_id.label("seller"), func.count().label("sales"))
        .group_by(Order.seller_org_id)
        .subquery()
    )
    sold = func.coalesce(by_seller.c.sales, 0)
    query = select(
        *_COLUMNS,
        sold,
        shortlist.score_ceiling(need, values, sold, "sqlite"),
        sure_failures(need) + shortlist.spec_sure_failure(need, values),
    ).outerjoin(by_seller, by_seller.c.seller == Lot.seller_org_id)
    for key, spec in specs.items():
        query = query.outerjoin(spec, (spec.lot_id == Lot.id) & (spec.key == key))
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    engine.dispose()
    for row in rows:
        candidate = _candidate(row[: len(_COLUMNS)], need, _spec_units(need))
        evaluation = rules.evaluate(need, candidate)
        exact = rules.score(need, candidate, seller_sales=row[-3]).total
        assert row[-2] - shortlist.ROUNDING + 1e-6 >= exact, (  # (the factors, when it fails)
            row[-2],
            exact,
            candidate,
            [(n, p) for n, p, _w in rules.score(need, candidate, seller_sales=row[-3]).factors],
        )
        assert row[-1] <= evaluation.failures, (row[-1], evaluation.checks)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    drawn_lots=lots,
    drawn_request=requests,
    orders=sales,
    wanted=st.tuples(st.integers(0, 1), st.integers(0, 1), st.integers(0, 2)),
    first_page=st.integers(2, 16),
)
def test_a_short_first_pass_and_the_spec_ordered_second_pass_rank_as_checking_every_candidate_does(
    database: Path,
    monkeypatch: pytest.MonkeyPatch,
    drawn_lots: list[dict[str, Any]],
    drawn_request: dict[str, Any],
    orders: list[int],
    wanted: tuple[int, int, int],
    first_page: int,
) -> None:
    # The first pass (the lot's own columns, spec factor at its most) stops after `first_page` lots; the lists
    # are then finished by the second (spec values read), which leaves out lots below every list's last score.
    monkeypatch.setattr(shortlist, "FIRST_PAGE", first_page)
    monkeypatch.setattr(shortlist, "BATCH", 2)
    _fill(database, drawn_lots, orders)
    asyncio.run(_both(database, _request(drawn_request), wanted))
