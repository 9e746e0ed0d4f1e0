"""A ceiling of a lot's soft score as SQL (`score_ceiling`: at least what `rules.score` gives it), and the
spec requirement groups a lot surely fails (`spec_sure_failure`), for `shortlist.best_ranked` to read lots
best ceiling first. Every factor is read from the lot's columns, its `lot_spec_values` rows and its
seller's order count, with rounding and every unknown or too-close call taken at its most; the rules in
`rules.py` stay the reference (tests/unit/matching/test_shortlist.py checks each lot's ceiling against its
score on random catalogues)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Integer, case, cast, func, literal, or_
from sqlalchemy.orm import aliased

from exchange.lots.models import Lot, LotSpecValue
from exchange.matching import rules
from exchange.matching.needs import quantity_factor

__all__ = ["ROUNDING", "SLACK", "score_ceiling", "spec_columns", "spec_sure_failure"]

SLACK = 1e-6
"""Relative width of "too close to call" around a spec bound (the rules' own tolerance is 1e-9)."""
ROUNDING = 5
"""Hundredths added to the ceiling for float arithmetic in SQL (the factors are rounded down in the rules)."""


def spec_columns(need: rules.Need) -> dict[str, Any]:
    """key → the lot's value of that spec in SI base units (`lot_spec_values`), for each numeric bound's key."""
    keys = sorted({b.key for group in need.groups for b in group if _number(b)})
    return {key: aliased(LotSpecValue, name=f"spec_{index}") for index, key in enumerate(keys)}


def _number(bound: rules.Bound) -> bool:
    return not isinstance(bound.value, bool | str)


def _scale(bound: rules.Bound) -> float:
    return abs(float(bound.value)) or 1.0


def _surely_fails(bound: rules.Bound, value: Any) -> Any:
    """The lot surely fails this numeric bound (a missing value fails, as in the rules)."""
    target, wide = float(bound.value), SLACK * _scale(bound)
    if bound.op == "gte":
        beyond = value < target - wide
    elif bound.op == "lte":
        beyond = value > target + wide
    else:
        beyond = func.abs(value - target) > wide
    return value.is_(None) | beyond


def _close_call(bound: rules.Bound, value: Any) -> Any:
    """Too close to the bound to say in SQL whether the rules pass it (twice the slack: no float edge between)."""
    return func.abs(value - float(bound.value)) <= 2 * SLACK * _scale(bound)


def _group_may_hold(group: tuple[rules.Bound, ...], values: dict[str, Any]) -> Any:
    numeric = [_surely_fails(b, values[b.key]) for b in group if _number(b)]
    return ~or_(*numeric) if numeric else literal(True)


def spec_sure_failure(need: rules.Need, values: dict[str, Any]) -> Any:
    """1 where every requirement group surely fails (a word or flag constraint is never counted), else 0."""
    if not need.groups:
        return literal(0, Integer)
    return case((or_(*(_group_may_hold(g, values) for g in need.groups)), 0), else_=1)


def _greatest(dialect: str, *values: Any) -> Any:
    return (func.greatest if dialect == "postgresql" else func.max)(*values)


def _least(dialect: str, *values: Any) -> Any:
    return (func.least if dialect == "postgresql" else func.min)(*values)


def _clip01(dialect: str, value: Any) -> Any:
    return _greatest(dialect, 0.0, _least(dialect, 1.0, value))


def _spec_points(need: rules.Need, values: dict[str, Any], dialect: str) -> Any:
    """Ceiling of the spec-margin factor: the best group that may hold, its mean margin over its min/max bounds.
    When no group may hold, or such a group is a close call (or has a word constraint SQL does not read), the
    rules may find no group with a margin, which is worth half the points: the ceiling is then at least that."""
    top = rules.FACTOR_POINTS["spec margin"]
    contributing = [g for g in need.groups if any(_number(b) and b.op in ("gte", "lte") for b in g)]
    if not contributing:
        return literal(top // 2, Float)
    means, holding, unsure = [], [], []
    for group in contributing:
        margins = []
        for b in group:
            if _number(b) and b.op in ("gte", "lte"):
                value, target = cast(values[b.key], Float), float(b.value)
                margins.append(((value - target) if b.op == "gte" else (target - value)) / _scale(b))
        holds = _group_may_hold(group, values)
        holding.append(holds)
        means.append(case((holds, sum(margins[1:], margins[0]) / len(margins)), else_=-1.0))
        close = [_close_call(b, values[b.key]) for b in group if _number(b)]
        if len(close) < len(group):  # a word or flag constraint
            close.append(literal(True))
        unsure.append(holds & or_(*close))
    best = means[0] if len(means) == 1 else _greatest(dialect, *means)
    half = case((~or_(*holding) | or_(*unsure), float(top // 2)), else_=0.0)
    return _greatest(dialect, top * _clip01(dialect, best), half)


def _spec_most(need: rules.Need) -> Any:
    """The most points the spec-margin factor can give under this request (`_spec_points` at its top)."""
    top = rules.FACTOR_POINTS["spec margin"]
    contributing = any(_number(b) and b.op in ("gte", "lte") for g in need.groups for b in g)
    return literal(float(top) if contributing else float(top // 2), Float)


_PLACE = (Lot.location_region, Lot.location_city)


def _contains(column: Any, ascii_text: str, dialect: str) -> Any:
    """The column holds this ASCII text in any letter case. SQLite's LIKE already ignores the case of ASCII
    letters (and its lower() changes no other letter), so there it needs no lower() on every row."""
    if dialect == "sqlite":
        return column.contains(ascii_text, autoescape=True)
    return column.icontains(ascii_text, autoescape=True)


def _non_ascii(column: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return column.op("~")("[^ -~]")
    return column.op("GLOB")("*[^ -~]*")


def score_ceiling(need: rules.Need, values: dict[str, Any] | None, sales: Any, dialect: str) -> Any:
    """At least `rules.score(...).total` of the lot (less `ROUNDING`), as an SQL expression over its columns.
    `values` are the lot's spec values (`spec_columns`); without them (None) the spec factor is taken at its
    most, and the expression reads only the lot's own columns (all held by the index `ix_lots_match`)."""
    same_unit = Lot.quantity_unit == need.unit if quantity_factor(need.unit, need.unit) == 1 else literal(False)
    qty = cast(Lot.quantity_value, Float)
    known = case((Lot.sale_mode == "fixed_price", Lot.price_minor), else_=Lot.min_bid_minor)
    top = rules.FACTOR_POINTS["price fit"]
    floor = float(need.budget_min_minor or 0)
    span = float(need.budget_max_minor) - floor
    fit = _clip01(dialect, (need.budget_max_minor - cast(known, Float) / qty) / span) if span > 0 else literal(1.0)
    price = case((~same_unit, float(top)), (known.is_(None) | (qty <= 0), float(top // 2)), else_=top * fit)

    top = rules.FACTOR_POINTS["quantity fit"]
    wanted_qty = float(need.quantity)
    quantity = case(
        (~same_unit, float(top)),
        (qty <= 0, 0.0),
        (qty <= wanted_qty, float(top)),
        else_=top * wanted_qty / qty,
    )

    top = rules.FACTOR_POINTS["region"]
    wanted = need.region.strip().casefold()
    if not wanted:
        region: Any = literal(top // 4, Float)
    elif not wanted.isascii():
        region = literal(top, Float)
    else:
        near = or_(*(_contains(column, wanted, dialect) | _non_ascii(column, dialect) for column in _PLACE))
        region = case((near, float(top)), else_=float(top // 4))

    top = rules.FACTOR_POINTS["seller record"]
    full = rules.SELLER_SALES_FOR_FULL_RECORD
    record = case((sales >= full, float(top)), else_=cast(sales, Float) * top / full)
    grade = case(*((Lot.grade == g, float(p)) for g, p in rules.GRADE_POINTS.items()), else_=0.0)
    spec = _spec_points(need, values, dialect) if values is not None else _spec_most(need)
    total = price + spec + quantity + region + record + grade + ROUNDING
    return func.coalesce(total, 1e9)  # (never unknown; were it so, such a lot is read first)
