"""Running a `LotQuery`: the page of lots, the total and the facet counts, all under the caller's visibility.

The filters are `_clauses`; a search with words goes the way `_word_search` picks for them.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from exchange.accounts.principal import Principal
from exchange.lots.models import Lot
from exchange.lots.search._clauses import filter_clauses, ordered
from exchange.lots.search._filters import LotQuery
from exchange.lots.search._word_search import last_lot_id, plan_words
from exchange.specs.catalog import Catalog

__all__ = ["TOTAL_CAP", "SearchResult", "run_search", "search_statements"]

TOTAL_CAP = 10_000
"""Matches counted exactly; past it the total says "10,000+" and the facets count the first matches found."""


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


async def custom_plans(session: AsyncSession) -> None:
    """On PostgreSQL, plan this transaction's statements for their own values.

    asyncpg prepares statements, and after five runs PostgreSQL may keep a generic plan, one chosen for an
    average word or category: a search's counts took twice as long on it at 100 000 lots. Only searches ask
    for this (SET LOCAL: it ends with the transaction); the bid path's short statements keep their cached plans
    (forcing custom plans everywhere cost the bids ~0.3 ms of PostgreSQL CPU each).
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


async def _counted(engine: AsyncEngine, statement: Any) -> list[Any]:
    async with AsyncSession(engine) as session:
        await custom_plans(session)
        result: Result[Any] = await session.execute(statement)
        return list(result.all())


def _facet_counts(matching: Any) -> Any:
    """One count per (category, grade) over at most TOTAL_CAP + 1 matches, so a broad search (or a browse with
    no filter) stops early."""
    capped = matching.limit(TOTAL_CAP + 1).subquery()
    return select(capped.c.category, capped.c.grade, func.count()).group_by(capped.c.category, capped.c.grade)


def _capped_count(matching: Any) -> Any:
    """The matches under every filter (grade included) counted up to TOTAL_CAP + 1."""
    return select(func.count()).select_from(matching.limit(TOTAL_CAP + 1).subquery())


def _page(ids: Any, query: LotQuery) -> Any:
    """The page's lots, whole rows read for its ids only."""
    return ordered(select(Lot).where(Lot.id.in_(ids)), query.sort)


async def search_statements(
    session: AsyncSession, principal: Principal | None, query: LotQuery, catalog: Catalog
) -> list[tuple[str, Any]]:
    """The statements a search runs, named (page, counts, and for words the way they were looked up)."""
    trace: list[tuple[str, Any]] = []
    await run_search(session, principal, query, catalog, trace=trace)
    return list(trace)


async def run_search(
    session: AsyncSession,
    principal: Principal | None,
    query: LotQuery,
    catalog: Catalog,
    *,
    trace: list[tuple[str, Any]] | None = None,
) -> SearchResult:
    """The page, the total and the category and grade facets for `query` as `principal` may see it.

    Two queries: the page, and one count per (category, grade) under every filter but grade, from
    which the total (the chosen grades), the grade facet and the category facet are summed. Without
    words they run side by side on two connections when the session is bound to an engine (reads only,
    so the second connection sees the same committed lots); with words the counts come first and tell
    the page which way to go (`_word_search`). The counts stop at TOTAL_CAP + 1 matches; past the cap a
    grade filter's total is counted (again up to the cap) by a third query.
    """
    trace = trace if trace is not None else []
    await custom_plans(session)
    if query.terms:
        return await _word_search(session, principal, query, catalog, trace)
    ids = ordered(select(Lot.id).where(*filter_clauses(query, principal, catalog)), query.sort)
    page = _page(ids.limit(query.limit).offset(query.offset), query)
    counts = _facet_counts(
        select(Lot.category, Lot.grade).where(*filter_clauses(query, principal, catalog, skip="grade"))
    )
    trace += [("page", page), ("counts", counts)]
    engine = session.bind
    if isinstance(engine, AsyncEngine) and not session.new and not session.dirty:
        found, cells = await asyncio.gather(session.scalars(page), _counted(engine, counts))
        lots = list(found)
    else:
        lots = list(await session.scalars(page))
        cells = list((await session.execute(counts)).all())
    capped_total = _capped_count(select(Lot.id).where(*filter_clauses(query, principal, catalog)))
    return await _tallied(session, query, catalog, lots, cells, capped_total)


async def _word_search(
    session: AsyncSession, principal: Principal | None, query: LotQuery, catalog: Catalog, trace: list[Any]
) -> SearchResult:
    plan = await plan_words(session, query)
    trace.append(("words", ", ".join(f"{w.term}: {w.postings} postings" for w in plan.words)))
    if plan.finds_nothing:
        return SearchResult([], 0, {}, {})
    counts = _facet_counts(plan.matches(principal, query, catalog, [Lot.category, Lot.grade], skip="grade"))
    trace.append(("counts", counts))
    cells = list((await session.execute(counts)).all())
    capped_total = _capped_count(plan.matches(principal, query, catalog, [Lot.id]))
    result = await _tallied(session, query, catalog, [], cells, capped_total)
    if result.total:
        ids = plan.page_ids(principal, query, catalog, result.total, await last_lot_id(session))
        trace.append(("page", _page(ids, query)))
        result.lots = list(await session.scalars(_page(ids, query)))
    return result


async def _tallied(
    session: AsyncSession, query: LotQuery, catalog: Catalog, lots: list[Lot], cells: list[Any], capped_total: Any
) -> SearchResult:
    """The result from the (category, grade) counts: the total of the chosen grades and both facets."""
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
        total = int(await session.scalar(capped_total) or 0) if query.grades else total
        lower_bound = total > TOTAL_CAP
        return SearchResult(
            lots,
            min(total, TOTAL_CAP),
            _rolled_up(categories, catalog),
            ordered_grades,
            total_is_lower_bound=lower_bound,
        )
    return SearchResult(lots, total, _rolled_up(categories, catalog), ordered_grades)
