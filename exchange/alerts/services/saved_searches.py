"""Saving, listing and deleting a buyer's searches, and the buyer's alert settings."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, urlencode

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.alerts import schemas
from exchange.alerts.errors import SAVED_SEARCH_NOT_FOUND, TOO_MANY_SAVED_SEARCHES
from exchange.alerts.matching import criteria_of
from exchange.alerts.models import AlertSettings, SavedSearch, SavedSearchAlert
from exchange.errors import Conflict, NotFound, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.lots.search import LotQuery, parse_lot_query
from exchange.specs.catalog import get_catalog
from exchange.text import clean_text

__all__ = [
    "MAX_SAVED_SEARCHES",
    "alert_settings",
    "create_saved_search",
    "delete_saved_search",
    "list_saved_searches",
    "parse_saved_query",
    "set_alert_settings",
]

MAX_SAVED_SEARCHES = 200
_PAGING = ("limit", "offset")
"""Left out of a saved query: which page was shown does not change which lots it finds."""


def parse_saved_query(raw: str) -> tuple[str, LotQuery]:
    """(the query string as kept, the search parsed by the catalogue's own parser); a 422 naming the bad
    parameter as `query.<parameter>`."""
    text = raw.strip().lstrip("?")
    try:
        params = parse_qs(text, keep_blank_values=False, strict_parsing=False, max_num_fields=50)
    except ValueError:
        raise Unprocessable(N_("The query has too many parameters."), field="query") from None
    params = {name: values for name, values in params.items() if name not in _PAGING}
    try:
        query = parse_lot_query(params, get_catalog())
    except Unprocessable as error:
        error.field = f"query.{error.field}" if error.field else "query"
        raise
    kept = urlencode([(name, value) for name, values in params.items() for value in values])
    return kept, query


def _out(search: SavedSearch, alerts: int) -> schemas.SavedSearch:
    return schemas.SavedSearch(
        id=search.id,
        name=search.name,
        query=search.query,
        frequency=search.frequency,  # type: ignore[arg-type]
        created_at=search.created_at,
        link=f"/lots?{search.query}" if search.query else "/lots",
        alerts=alerts,
    )


async def alert_settings(session: AsyncSession, org_id: int) -> schemas.AlertSettings:
    row = await session.get(AlertSettings, org_id)
    return schemas.AlertSettings(suggestions_enabled=row.suggestions_enabled if row is not None else True)


async def set_alert_settings(session: AsyncSession, org_id: int, *, suggestions_enabled: bool) -> schemas.AlertSettings:
    row = await session.get(AlertSettings, org_id)
    if row is None:
        session.add(AlertSettings(org_id=org_id, suggestions_enabled=suggestions_enabled))
    else:
        row.suggestions_enabled = suggestions_enabled
    await session.flush()
    return schemas.AlertSettings(suggestions_enabled=suggestions_enabled)


async def list_saved_searches(session: AsyncSession, principal: Principal) -> schemas.SavedSearchList:
    org_id = principal.org_id or 0
    counts = (
        select(SavedSearchAlert.search_id, func.count().label("n"))
        .where(SavedSearchAlert.org_id == org_id)
        .group_by(SavedSearchAlert.search_id)
        .subquery()
    )
    rows = await session.execute(
        select(SavedSearch, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.search_id == SavedSearch.id)
        .where(SavedSearch.org_id == org_id)
        .order_by(SavedSearch.id.desc())
    )
    items = [_out(search, int(n)) for search, n in rows.all()]
    return schemas.SavedSearchList(items=items, settings=await alert_settings(session, org_id))


async def create_saved_search(
    session: AsyncSession, principal: Principal, data: schemas.SavedSearchIn, *, now: datetime
) -> schemas.SavedSearch:
    name = " ".join(clean_text(data.name, field="name", label="The name", required=True).split())
    kept, query = parse_saved_query(data.query)
    org_id = principal.org_id or 0
    count = await session.scalar(select(func.count()).select_from(SavedSearch).where(SavedSearch.org_id == org_id))
    if (count or 0) >= MAX_SAVED_SEARCHES:
        raise Conflict(
            Msg("Your organisation keeps {count} saved searches already; delete one first.", count=MAX_SAVED_SEARCHES),
            code=TOO_MANY_SAVED_SEARCHES,
        )
    search = SavedSearch(
        org_id=org_id,
        user_id=principal.user_id,
        name=name,
        query=kept,
        frequency=data.frequency,
        criteria=criteria_of(query),
        created_at=now,
    )
    session.add(search)
    await session.flush()
    return _out(search, 0)


async def delete_saved_search(session: AsyncSession, principal: Principal, search_id: int) -> None:
    """Delete one of the caller's org's searches; another org's is a 404, as if it did not exist."""
    search = await session.get(SavedSearch, search_id)
    if search is None or search.org_id != principal.org_id:
        raise NotFound(
            Msg("There is no saved search {search} of yours.", search=search_id), code=SAVED_SEARCH_NOT_FOUND
        )
    await session.execute(delete(SavedSearchAlert).where(SavedSearchAlert.search_id == search_id))
    await session.delete(search)
    await session.flush()
