"""The best matches, near misses and bundle parts of a request without checking every candidate in Python.

`matches.rank` runs the rules on every candidate SQL lets through: with 100 000 live lots in one category
that is tens of thousands of lots checked and scored to show 20. Here SQL also computes, per lot, a ceiling
of its soft score (`score_ceiling`: the score's factors read from the lot's columns, its `lot_spec_values`
rows and its seller's order count, rounding and every unknown taken at their most) and how many hard
constraints it surely fails (`sure_failures`, the spec requirement groups included). Lots come best ceiling
first; each is checked with the reference rules (`rules.evaluate`, `rules.score`) until every list is full
and no lot still unread can reach a place in it (its ceiling is below the last place's score). The answer
is exactly `rank`'s (a test compares both on random catalogues); only far fewer lots are checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Float, Integer, case, cast, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from exchange.lots.models import Lot, LotSpecValue
from exchange.matching import rules
from exchange.matching.candidates import (
    _COLUMNS,
    _base_query,
    _candidate,
    _spec_units,
    collector_paused,
    sure_failures,
)
from exchange.matching.needs import quantity_factor
from exchange.orders.models import Order

__all__ = ["SLACK", "Best", "Ranked", "best_ranked", "score_ceiling", "spec_columns", "spec_sure_failure"]

SLACK = 1e-6
"""Relative width of "too close to call" around a spec bound (the rules' own tolerance is 1e-9)."""
ROUNDING = 5
"""Hundredths added to the ceiling for float arithmetic in SQL (the factors are rounded down in the rules)."""
BATCH = 200
"""Lots read and checked between two looks at whether the lists are settled."""


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


def _non_ascii(column: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return column.op("~")("[^ -~]")
    return column.op("GLOB")("*[^ -~]*")


def score_ceiling(need: rules.Need, values: dict[str, Any], sales: Any, dialect: str) -> Any:
    """At least `rules.score(...).total` of the lot (less `ROUNDING`), as an SQL expression over its columns."""
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
        near = or_(
            *(
                column.icontains(wanted, autoescape=True) | _non_ascii(column, dialect)
                for column in (Lot.location_region, Lot.location_city)
            )
        )
        region = case((near, float(top)), else_=float(top // 4))

    top = rules.FACTOR_POINTS["seller record"]
    full = rules.SELLER_SALES_FOR_FULL_RECORD
    record = case((sales >= full, float(top)), else_=cast(sales, Float) * top / full)
    grade = case(*((Lot.grade == g, float(p)) for g, p in rules.GRADE_POINTS.items()), else_=0.0)
    total = price + _spec_points(need, values, dialect) + quantity + region + record + grade + ROUNDING
    return func.coalesce(total, 1e9)  # (never unknown; were it so, such a lot is read first)


@dataclass(frozen=True, slots=True)
class Ranked:
    evaluation: rules.Evaluation
    score: rules.Score


@dataclass
class _Board:
    """One list (matches, near misses or bundle parts): its best `size`, best first."""

    size: int
    items: list[Ranked] = field(default_factory=list)

    def add(self, ranked: Ranked) -> None:
        if self.size:
            self.items.append(ranked)

    def trim(self) -> None:
        self.items.sort(key=lambda r: (-r.score.total, r.evaluation.candidate.lot_id))
        del self.items[self.size :]

    def settled(self, ceiling: float) -> bool:
        """No lot with at most this score ceiling can enter the list."""
        return len(self.items) >= self.size and (not self.size or self.items[-1].score.total > ceiling)


@dataclass
class Best:
    matches: list[Ranked]
    near_misses: list[Ranked]
    parts: list[Ranked]
    candidates: int
    """Lots the client may consider (as `rank` counts them)."""
    checked: int
    """Lots read and checked with the rules."""


async def best_ranked(
    session: AsyncSession, need: rules.Need, client_org_id: int, *, matches: int, near_misses: int, parts: int
) -> Best:
    """The first `matches` matches, `near_misses` near misses and `parts` bundle parts of `rank`, in its order."""
    candidates = await session.scalar(_base_query(need, client_org_id, func.count())) or 0
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    specs = spec_columns(need)
    values = {key: spec.num_value for key, spec in specs.items()}
    sales_by_seller = (
        select(Order.seller_org_id.label("seller"), func.count().label("sales"))
        .group_by(Order.seller_org_id)
        .subquery("seller_sales")
    )
    sales = func.coalesce(sales_by_seller.c.sales, 0)
    ceiling = score_ceiling(need, values, sales, dialect).label("ceiling")
    query = _base_query(need, client_org_id, *_COLUMNS, sales, ceiling)
    for key, spec in specs.items():
        query = query.outerjoin(spec, (spec.lot_id == Lot.id) & (spec.key == key))
    query = query.outerjoin(sales_by_seller, sales_by_seller.c.seller == Lot.seller_org_id)
    query = query.where(sure_failures(need) + spec_sure_failure(need, values) <= 1).order_by(ceiling.desc(), Lot.id)
    factors = _spec_units(need)
    boards = (_Board(matches), _Board(near_misses), _Board(parts))
    checked = 0
    result = await session.stream(query)
    try:
        async for batch in result.partitions(BATCH):
            with collector_paused():
                for row in batch:
                    candidate = _candidate(row[: len(_COLUMNS)], need, factors)
                    evaluation = rules.evaluate(need, candidate, give_up_after=2)
                    if evaluation.failures > 1:
                        continue
                    ranked = Ranked(evaluation, rules.score(need, candidate, seller_sales=row[-2]))
                    if evaluation.is_match:
                        boards[0].add(ranked)
                    elif evaluation.is_near_miss:
                        boards[1].add(ranked)
                    if parts and rules.bundle_part(evaluation):
                        boards[2].add(ranked)
                checked += len(batch)
                for board in boards:
                    board.trim()
            if all(board.settled(batch[-1][-1]) for board in boards):
                break
    finally:
        await result.close()
    return Best(boards[0].items, boards[1].items, boards[2].items, candidates, checked)
