"""Browsing and reading lots: `/lots` with facet filters (HTMX in place, plain links without JS) and `/lots/{id}`."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.channels import ChannelsPlugin
from litestar.datastructures import State
from litestar.response import ServerSentEvent, Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts import directory
from exchange.errors import DomainError, NotFound
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.live.channels import lot_channel
from exchange.live.streams import event_stream
from exchange.lots import rules, services
from exchange.lots.api import document_response, optional_principal
from exchange.lots.search import SearchPage, search_lots
from exchange.lots.visibility import get_visible_lot
from exchange.params import Id
from exchange.specs.catalog import get_catalog
from web.pages.lots._forms import search_url, spec_display
from web.pages.lots._search_words import search_problem

__all__ = ["LotPages"]

SORT_LABELS = {"newest": N_("Newest"), "closing": N_("Closing soonest"), "price_asc": N_("Price: low to high"),
               "price_desc": N_("Price: high to low")}  # fmt: skip
MODE_LABELS = {"sealed_bid": N_("Sealed bid"), "fixed_price": N_("Fixed price")}


def _browse_context(params: dict[str, list[str]], result: SearchPage | None, error: Msg | str | None) -> dict[str, Any]:
    catalog = get_catalog()
    chosen = (params.get("category") or [""])[-1]
    category = catalog.get(chosen)
    query = result.query if result else None
    items = result.items if result else []
    total = result.total if result else 0
    facets = result.facets if result else None
    total_is_lower_bound = result.total_is_lower_bound if result else False
    grades = params.get("grade", [])
    offset = query.offset if query else 0
    limit = query.limit if query else 20
    return {
        "params": params,
        "one": lambda name: (params.get(name) or [""])[-1],
        "catalog": catalog,
        "category": category,
        "tree": [c for c in catalog.categories.values() if c.parent is None],
        "items": items,
        "total": total,
        "total_is_lower_bound": total_is_lower_bound,
        "facets": facets,
        "error": error,
        "grades": grades,
        "sorts": SORT_LABELS,
        "modes": MODE_LABELS,
        "url": lambda **changes: search_url(params, **changes),
        "grade_toggle": lambda g: search_url(
            params, grade=[x for x in grades if x != g] if g in grades else [*grades, g]
        ),
        "prev_url": search_url(params, offset=str(max(offset - limit, 0))) if offset > 0 else None,
        "next_url": search_url(params, offset=str(offset + limit)) if offset + limit < total else None,
        "first": offset + 1 if total else 0,
        "last": min(offset + limit, total),
        "specs_of": lambda lot: spec_display(catalog.get(lot.category), lot.specs)[:4],
        "save_query": search_url(params).partition("?")[2],
        "save_name": (category.name if category else "All lots") + (f" · {', '.join(grades)}" if grades else ""),
    }


class LotPages(Controller):
    path = "/lots"
    include_in_schema = False

    @get("/")
    async def browse(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        """The browse page; an HTMX request gets just the `#browse` region (filters, facets, results)."""
        params = {k: [v for v in values if v.strip()] for k, values in request.query_params.dict().items()}
        params = {k: v for k, v in params.items() if v}
        error: Msg | str | None = None
        result: SearchPage | None = None
        try:
            result = await search_lots(db_session, optional_principal(request), params)
        except DomainError as problem:
            error = search_problem(problem)
        context = _browse_context(params, result, error)
        context["covers"] = await services.cover_photos(db_session, [lot.id for lot in context["items"]])
        if request.headers.get("hx-request"):
            # The address bar shows the clean filter URL, not every empty input of the form.
            return Template(
                "lots/_browse.html",
                context=context,
                status_code=422 if error else 200,
                headers={"HX-Push-Url": search_url(params, offset=(params.get("offset") or [None])[-1])},
            )
        return Template("lots/browse.html", context=context, status_code=422 if error else 200)

    @get("/{lot_id:int}")
    async def detail(self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id) -> Template:
        principal = optional_principal(request)
        lot = await services.get_lot(db_session, principal, lot_id)
        catalog = get_catalog()
        invited = lot.invited_org_ids if isinstance(lot.invited_org_ids, list) else []
        return Template(
            "lots/detail.html",
            context={
                "lot": lot,
                "seller": await directory.public_org(db_session, lot.seller_org_id),
                "invited_orgs": await directory.org_names(db_session, invited),
                "category": catalog.get(lot.category),
                "specs": spec_display(catalog.get(lot.category), lot.specs),
                "is_seller": principal is not None and principal.org_id == lot.seller_org_id,
                "is_admin": principal is not None and principal.is_admin,
                "photos": [d for d in lot.documents if d.kind == "photo"],
                "papers": [d for d in lot.documents if d.kind != "photo"],
                "kinds": list(services.UPLOAD_RULES),
                "modes": MODE_LABELS,
                "closed": lot.status in rules.CLOSED_STATUSES,
                "relist_way": await services.relist_way_for(db_session, principal, lot_id),
            },
        )

    @get("/{lot_id:int}/live")
    async def live(self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id) -> Template:
        """The lot's status, bid count and countdown: re-fetched by the detail page on live events."""
        lot = await services.get_lot(db_session, optional_principal(request), lot_id)
        return Template("lots/_live.html", context={"lot": lot, "closed": lot.status in rules.CLOSED_STATUSES})

    @get("/{lot_id:int}/events")
    async def events(
        self, request: Request[Any, Any, Any], state: State, channels: ChannelsPlugin, lot_id: Id
    ) -> ServerSentEvent:
        """Live events of a lot the caller may see (the events carry no content; pages re-fetch)."""
        # A short session of its own: the stream stays open for minutes and must not hold a connection.
        async with state.session_maker() as session:
            await get_visible_lot(session, optional_principal(request), lot_id)
        return event_stream(channels, [lot_channel(lot_id)])

    @get("/{lot_id:int}/files/{document_id:int}/preview")
    async def preview(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, state: State, lot_id: Id, document_id: Id
    ) -> Response[bytes]:
        """A photo's small preview (browse cards, the gallery), for whoever may see the lot."""
        document, content, media_type = await services.read_preview(
            db_session, optional_principal(request), lot_id, document_id, data_dir=state.settings.data_dir
        )
        if document.kind != "photo" or not media_type.startswith("image/"):
            raise NotFound(Msg("File {document} of lot {lot} is not a photo.", document=document_id, lot=lot_id))
        return Response(
            content=content,
            media_type=media_type,
            headers={
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "default-src 'none'; sandbox",
                "Cache-Control": "private, max-age=300",
            },
        )

    @get("/{lot_id:int}/files/{document_id:int}")
    async def file(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, state: State, lot_id: Id, document_id: Id
    ) -> Response[bytes]:
        return await document_response(
            db_session, optional_principal(request), lot_id, document_id, state.settings.data_dir
        )
