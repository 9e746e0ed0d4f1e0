"""Running a `LotQuery`: the page of lots, the total and the facet counts, all under the caller's visibility.

Every filter is a WHERE on an indexed column or an `id IN (index range)` on the spec and term
tables, so no row's JSON is read to decide whether it matches.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from exchange.accounts.principal import Principal
from exchange.lots.index import number_slot
from exchange.lots.models import Lot, LotSpecValue, LotTerm
from exchange.lots.search._filters import LotQuery, SpecFilter
from exchange.lots.visibility import visible_lots_clause
from exchange.specs.catalog import Catalog

__all__ = ["TOTAL_CAP", "SearchResult", "run_search", "search_statements"]

TOTAL_CAP = 10_000
"""Matches counted exactly; past it the total says "10,000+" and the facets count the first matches found."""

_ASKING_PRICE = func.coalesce(Lot.price_minor, Lot.min_bid_minor)


class SearchResult:
    def __init__(
        self,
        lots: list[Lot],
        total: int,
        categories: dict[str, int],
        grades: dict[str, int],
        *,
        total_is_lower_bound: bool = False,
    ) -> None:
        self.lots = lots
        self.total = total
        self.category_counts = categories
        self.grade_counts = grades
        self.total_is_lower_bound = total_is_lower_bound
        """More than `TOTAL_CAP` lots match: `total` is the cap and the facets count a capped set of them."""


def _after(term: str) -> str:
    """The smallest string above every string that starts with `term` (byte-wise order)."""
    return term[:-1] + chr(ord(term[-1]) + 1)


def _term_clause(term: str, prefix: bool) -> Any:
    match = LotTerm.term == term if not prefix else and_(LotTerm.term >= term, LotTerm.term < _after(term))
    return Lot.id.in_(select(LotTerm.lot_id).where(match))


def _spec_clause(spec: SpecFilter, categories: list[str], catalog: Catalog) -> Any:
    """A number filter on the lot's `spec_n<slot>` columns (checked on the covering index entry) when every
    category with that number spec has it in a slot; otherwise (text values, specs past the slots) the spec
    index subquery."""
    if spec.texts:
        return _spec_values_clause(spec, categories)
    by_slot: dict[int, list[str]] = {}
    for code in categories or list(catalog.categories):
        category = catalog.get(code)
        spec_field = category.field(spec.key) if category is not None else None
        if spec_field is None or spec_field.type != "number":
            continue  # no number value of this spec is indexed for its lots
        slot = number_slot(catalog, code, spec.key)
        if slot is None:
            return _spec_values_clause(spec, categories)
        by_slot.setdefault(slot, []).append(code)
    if not by_slot:
        return false()
    return or_(*(_slot_clause(spec, slot, codes) for slot, codes in sorted(by_slot.items())))


def _slot_clause(spec: SpecFilter, slot: int, codes: list[str]) -> Any:
    column = getattr(Lot, f"spec_n{slot}")
    conditions: list[Any] = [Lot.category == codes[0] if len(codes) == 1 else Lot.category.in_(codes)]
    if spec.low is not None:
        conditions.append(column >= spec.low)
    if spec.high is not None:
        conditions.append(column <= spec.high)
    if spec.numeric_values:
        conditions.append(column.in_(spec.numeric_values))
    return and_(*conditions)


def _spec_values_clause(spec: SpecFilter, categories: list[str]) -> Any:
    conditions: list[Any] = [LotSpecValue.key == spec.key]
    if categories:
        conditions.append(
            LotSpecValue.category == categories[0] if len(categories) == 1 else LotSpecValue.category.in_(categories)
        )
    if spec.low is not None:
        conditions.append(LotSpecValue.num_value >= spec.low)
    if spec.high is not None:
        conditions.append(LotSpecValue.num_value <= spec.high)
    if spec.numeric_values:
        conditions.append(LotSpecValue.num_value.in_(spec.numeric_values))
    if spec.texts:
        conditions.append(LotSpecValue.text_value.in_(spec.texts))
    return Lot.id.in_(select(LotSpecValue.lot_id).where(*conditions))


def _clauses(query: LotQuery, principal: Principal | None, catalog: Catalog, *, skip: str | None = None) -> list[Any]:
    """Every filter as a WHERE clause; `skip="grade"` leaves out the grade filter for the facet counts."""
    clauses: list[Any] = [visible_lots_clause(principal)]
    clauses.append(Lot.status == query.statuses[0] if len(query.statuses) == 1 else Lot.status.in_(query.statuses))
    if query.categories:
        clauses.append(
            Lot.category == query.categories[0] if len(query.categories) == 1 else Lot.category.in_(query.categories)
        )
    if query.grades and skip != "grade":
        clauses.append(Lot.grade.in_(query.grades))
    if query.modes:
        clauses.append(Lot.sale_mode.in_(query.modes))
    if query.currency:
        clauses.append(Lot.currency == query.currency)
    if query.price_min is not None:
        clauses.append(query.price_min <= _ASKING_PRICE)
    if query.price_max is not None:
        clauses.append(query.price_max >= _ASKING_PRICE)
    if query.location:
        clauses.append(
            or_(func.lower(Lot.location_city) == query.location, func.lower(Lot.location_region) == query.location)
        )
    if query.country:
        clauses.append(Lot.location_country == query.country)
    clauses.extend(_term_clause(term, prefix) for term, prefix in query.terms)
    clauses.extend(_spec_clause(spec, query.categories, catalog) for spec in query.specs)
    return clauses


def _ordered(statement: Select[Any], sort: str) -> Select[Any]:
    if sort == "closing":
        return statement.order_by(Lot.ends_at.asc().nulls_last(), Lot.id.asc())
    if sort == "price_asc":
        return statement.order_by(_ASKING_PRICE.asc().nulls_last(), Lot.id.asc())
    if sort == "price_desc":
        return statement.order_by(_ASKING_PRICE.desc().nulls_last(), Lot.id.desc())
    return statement.order_by(Lot.published_at.desc().nulls_last(), Lot.id.desc())


def _rolled_up(counts: dict[str, int], catalog: Catalog) -> dict[str, int]:
    """Counts per category with each parent holding the sum of its children."""
    rolled: dict[str, int] = {}
    for code, count in counts.items():
        rolled[code] = rolled.get(code, 0) + count
        category = catalog.get(code)
        while category is not None and category.parent:
            rolled[category.parent] = rolled.get(category.parent, 0) + count
            category = catalog.get(category.parent)
    return {code: rolled[code] for code in catalog.categories if code in rolled}


async def _counted(engine: AsyncEngine, statement: Any) -> list[Any]:
    async with AsyncSession(engine) as session:
        result: Result[Any] = await session.execute(statement)
        return list(result.all())


def search_statements(principal: Principal | None, query: LotQuery, catalog: Catalog) -> tuple[Any, Any]:
    """(the page's SELECT, the per-(category, grade) count SELECT) of a search; the benchmark explains them."""
    # The page's ids first, sorted on the covering index's entries; only the page's rows are read whole.
    ids = _ordered(select(Lot.id).where(*_clauses(query, principal, catalog)), query.sort)
    page = _ordered(select(Lot).where(Lot.id.in_(ids.limit(query.limit).offset(query.offset))), query.sort)
    # Counted over at most TOTAL_CAP + 1 matches, so a broad search (or a browse with no filter) stops early.
    capped = (
        select(Lot.category, Lot.grade)
        .where(*_clauses(query, principal, catalog, skip="grade"))
        .limit(TOTAL_CAP + 1)
        .subquery()
    )
    counts = select(capped.c.category, capped.c.grade, func.count()).group_by(capped.c.category, capped.c.grade)
    return page, counts


def _capped_total(principal: Principal | None, query: LotQuery, catalog: Catalog) -> Any:
    """The matches under every filter (grade included) counted up to TOTAL_CAP + 1."""
    return select(func.count()).select_from(
        select(Lot.id).where(*_clauses(query, principal, catalog)).limit(TOTAL_CAP + 1).subquery()
    )


async def run_search(
    session: AsyncSession, principal: Principal | None, query: LotQuery, catalog: Catalog
) -> SearchResult:
    """The page, the total and the category and grade facets for `query` as `principal` may see it.

    Two queries: the page, and one count per (category, grade) under every filter but grade, from
    which the total (the chosen grades), the grade facet and the category facet are summed. They run
    side by side on two connections when the session is bound to an engine (reads only, so the
    second connection sees the same committed lots). The counts stop at TOTAL_CAP + 1 matches; past the
    cap a grade filter's total is counted (again up to the cap) by a third query.
    """
    page, counts = search_statements(principal, query, catalog)
    engine = session.bind
    if isinstance(engine, AsyncEngine) and not session.new and not session.dirty:
        found, cells = await asyncio.gather(session.scalars(page), _counted(engine, counts))
        lots = list(found)
    else:
        lots = list(await session.scalars(page))
        cells = list((await session.execute(counts)).all())
    grades: dict[str, int] = {}
    categories: dict[str, int] = {}
    total = 0
    over_cap = sum(int(cell[2]) for cell in cells) > TOTAL_CAP
    for code, grade, count in cells:
        grades[grade] = grades.get(grade, 0) + int(count)
        if not query.grades or grade in query.grades:
            categories[code] = categories.get(code, 0) + int(count)
            total += int(count)
    ordered_grades = {grade: grades[grade] for grade in sorted(grades)}
    if over_cap:
        # Without a grade filter the total is the capped set itself; with one, it is counted on its own.
        total = int(await session.scalar(_capped_total(principal, query, catalog)) or 0) if query.grades else total
        lower_bound = total > TOTAL_CAP
        return SearchResult(
            lots,
            min(total, TOTAL_CAP),
            _rolled_up(categories, catalog),
            ordered_grades,
            total_is_lower_bound=lower_bound,
        )
    return SearchResult(lots, total, _rolled_up(categories, catalog), ordered_grades)
