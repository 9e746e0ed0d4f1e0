"""The SQL prefilter of matching (`candidates.sure_failures`) against the rules (Hypothesis): it may count a
failure only where `rules.evaluate` fails the lot too, so it never drops a match, near miss or bundle part."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, delete, insert, select

from exchange.lots.models import Lot
from exchange.matching import rules
from exchange.matching.candidates import _COLUMNS, _candidate, _spec_units, sure_failures
from exchange.matching.rules import Need

TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    engine = create_engine("sqlite://")
    Lot.__table__.create(engine)  # type: ignore[attr-defined]
    yield engine
    engine.dispose()


needs = st.builds(
    lambda qty, lo, hi, total, certs, shelf, days, unit, currency: Need(
        quantity=Decimal(qty),
        unit=unit,
        budget_min_minor=lo if lo is not None and lo <= hi else None,
        budget_max_minor=hi,
        budget_total_minor=total,
        currency=currency,
        deliver_by=TODAY + timedelta(days=days),
        categories=frozenset({"electronics/power-bank"}),
        certificates=tuple(certs),
        min_shelf_life_days=shelf,
    ),
    st.one_of(st.integers(1, 10_000), st.decimals("0.0001", "10000", places=4)),
    st.one_of(st.none(), st.integers(1, 6_000)),
    st.integers(1, 6_000),
    st.one_of(st.none(), st.integers(1, 10_000_000)),
    st.lists(st.sampled_from(["3C", "CE"]), max_size=2, unique=True),
    st.one_of(st.none(), st.integers(0, 200)),
    st.integers(0, 100),
    st.sampled_from(["pcs", "pcs", "kg"]),
    st.sampled_from(["CNY", "CNY", "USD"]),
)

lots = st.fixed_dictionaries(
    {
        "quantity_value": st.one_of(
            st.integers(0, 20_000).map(Decimal), st.decimals("0", "20000", places=4, allow_nan=False)
        ),
        "quantity_unit": st.sampled_from(["pcs", "pcs", "kg", "t", "m"]),
        "sale_mode": st.sampled_from(["fixed_price", "sealed_bid", "rfq"]),
        "price_minor": st.one_of(st.none(), st.integers(0, 60_000_000)),
        "min_bid_minor": st.one_of(st.none(), st.integers(0, 60_000_000)),
        "currency": st.sampled_from(["CNY", "CNY", "USD"]),
        "certifications": st.lists(st.sampled_from(["3c", "CE", "3-C", "RoHS"]), max_size=3, unique=True),
        "best_before": st.one_of(st.none(), st.integers(0, 400).map(lambda d: TODAY + timedelta(days=d))),
        "specs": st.just({"capacity": 10000}),
    }
)


def _row(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": 1,
        "seller_org_id": 1,
        "title": "lot",
        "category": "electronics/power-bank",
        "grade": "A",
        "status": "live",
        **values,
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(need=needs, lot=lots)
def test_prefilter_counts_only_failures_the_rules_find(engine: Engine, need: Need, lot: dict[str, Any]) -> None:
    with engine.begin() as connection:
        connection.execute(delete(Lot))
        connection.execute(insert(Lot), [_row(lot)])
        row = connection.execute(select(*_COLUMNS, sure_failures(need))).one()
    candidate = _candidate(row[:-1], need, _spec_units(need))
    evaluation = rules.evaluate(need, candidate)
    sure = row[-1]
    event(f"surely fails {sure}")
    assert sure <= evaluation.failures, (sure, evaluation.checks)
    if evaluation.failures <= 1:
        assert sure <= 1  # the lot is a match, near miss or bundle part: the prefilter keeps it
