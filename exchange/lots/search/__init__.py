"""Lot search: `q`, category (with sub-categories), grade, mode, status, price, place and spec filters
with units; sorted and paginated, with category and grade facet counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.lots import schemas
from exchange.lots.search._filters import MAX_LIMIT, MAX_OFFSET, SORTS, LotQuery, SpecFilter, parse_lot_query
from exchange.lots.search._query import TOTAL_CAP, SearchResult, run_search, search_statements
from exchange.lots.services import lots_out
from exchange.specs.catalog import get_catalog

__all__ = [
    "MAX_LIMIT",
    "MAX_OFFSET",
    "SORTS",
    "TOTAL_CAP",
    "LotQuery",
    "SearchPage",
    "SearchResult",
    "SpecFilter",
    "parse_lot_query",
    "search_lots",
    "search_statements",
]


class SearchPage(NamedTuple):
    query: LotQuery
    items: list[schemas.Lot]
    total: int
    facets: schemas.Facets
    total_is_lower_bound: bool
    """More than TOTAL_CAP lots match: `total` is TOTAL_CAP ("10,000+") and the facets count a capped set."""


async def search_lots(
    session: AsyncSession, principal: Principal | None, params: Mapping[str, Sequence[str]]
) -> SearchPage:
    """Search as the caller may see: the parsed query, the page of lots, the total and the facets.

    Private lots the caller is not invited to are absent from items, total and facets alike.
    """
    catalog = get_catalog()
    query = parse_lot_query(params, catalog)
    result = await run_search(session, principal, query, catalog)
    items = await lots_out(session, principal, result.lots)
    facets = schemas.Facets(category=result.category_counts, grade=result.grade_counts)
    return SearchPage(query, items, result.total, facets, result.total_is_lower_bound)
