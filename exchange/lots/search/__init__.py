"""Lot search: `q`, category (with sub-categories), grade, mode, status, price, place and spec filters
with units; sorted and paginated, with category and grade facet counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.lots import schemas
from exchange.lots.search._filters import MAX_LIMIT, MAX_OFFSET, SORTS, LotQuery, SpecFilter, parse_lot_query
from exchange.lots.search._query import SearchResult, run_search, search_statements
from exchange.lots.services import lots_out
from exchange.specs.catalog import get_catalog

__all__ = [
    "MAX_LIMIT",
    "MAX_OFFSET",
    "SORTS",
    "LotQuery",
    "SearchResult",
    "SpecFilter",
    "parse_lot_query",
    "search_lots",
    "search_statements",
]


async def search_lots(
    session: AsyncSession, principal: Principal | None, params: Mapping[str, Sequence[str]]
) -> tuple[LotQuery, list[schemas.Lot], int, schemas.Facets]:
    """Search as the caller may see: (the parsed query, the page of lots, the total, the facets).

    Private lots the caller is not invited to are absent from items, total and facets alike.
    """
    catalog = get_catalog()
    query = parse_lot_query(params, catalog)
    result = await run_search(session, principal, query, catalog)
    items = await lots_out(session, principal, result.lots)
    return query, items, result.total, schemas.Facets(category=result.category_counts, grade=result.grade_counts)
