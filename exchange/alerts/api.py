"""The alerts JSON API: saved searches and their settings, suggestions, and a lot's pricing advice and price cut."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post, put
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import paging
from exchange.accounts.guards import current_principal, requires_org_kind, requires_signed_in
from exchange.alerts import schemas
from exchange.alerts.services import pricing, saved_searches
from exchange.alerts.services.preferences import suggestions_for
from exchange.live.channels import lot_channel, publish_event
from exchange.lots.events import lot_went_live
from exchange.params import Id
from exchange.runtime import Runtime

__all__ = ["LotPricingController", "SavedSearchesController", "SuggestionsController"]


class SavedSearchesController(Controller):
    path = "/api/saved-searches"
    tags = ["alerts"]
    guards = [requires_org_kind("buyer")]

    @get("/", summary="Your organisation's saved searches, newest first, with the alert settings")
    async def list_searches(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        limit: paging.Limit = None,
        offset: paging.Offset = None,
    ) -> schemas.SavedSearchPage:
        listing = await saved_searches.list_saved_searches(db_session, current_principal(request))
        page = paging.page_of(request, limit, offset, listing.items)
        return paging.page_as(schemas.SavedSearchPage, page, settings=listing.settings)

    @post(
        "/",
        status_code=201,
        summary="Save a catalogue search: a lot that goes live and matches it alerts you once (instant or daily)",
        description="`query` is the /lots query string (the same filters as GET /api/lots, spec ranges with units); "
        "a parameter the catalogue cannot read is a 422 naming it as `query.<parameter>`.",
    )
    async def create(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, data: schemas.SavedSearchIn, runtime: Runtime
    ) -> schemas.SavedSearch:
        return await saved_searches.create_saved_search(
            db_session, current_principal(request), data, now=runtime.clock.now()
        )

    @delete("/{search_id:int}", status_code=204, summary="Delete a saved search (404 for another organisation's)")
    async def remove(self, request: Request[Any, Any, Any], db_session: AsyncSession, search_id: Id) -> None:
        await saved_searches.delete_saved_search(db_session, current_principal(request), search_id)

    @get("/settings", summary="Your alert settings")
    async def settings(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> schemas.AlertSettings:
        return await saved_searches.alert_settings(db_session, current_principal(request).org_id or 0)

    @put("/settings", summary='Turn "lots like the ones you buy" suggestions on or off')
    async def set_settings(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, data: schemas.AlertSettingsIn
    ) -> schemas.AlertSettings:
        org_id = current_principal(request).org_id or 0
        return await saved_searches.set_alert_settings(db_session, org_id, suggestions_enabled=data.suggestions_enabled)


class SuggestionsController(Controller):
    path = "/api/suggestions"
    tags = ["alerts"]
    guards = [requires_org_kind("buyer")]

    @get("/", summary='"Lots like the ones you buy", from your bids, purchases and RFQs, each with its reason')
    async def suggestions(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        limit: paging.Limit = None,
        offset: paging.Offset = None,
    ) -> schemas.SuggestionPage:
        listing = await suggestions_for(db_session, current_principal(request).org_id or 0)
        page = paging.page_of(request, limit, offset, listing.items)
        return paging.page_as(schemas.SuggestionPage, page, enabled=listing.enabled)


class LotPricingController(Controller):
    path = "/api/lots"
    tags = ["catalogue"]
    guards = [requires_signed_in]

    @get(
        "/{lot_id:int}/pricing",
        summary="The seller's pricing view: the asking price against the grade band and comparable sold lots "
        "(outside the band is a warning, never a refusal), and any slow-sale advice",
    )
    async def pricing(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id
    ) -> schemas.LotPricing:
        return await pricing.lot_pricing(db_session, current_principal(request), lot_id)

    @post(
        "/{lot_id:int}/price-cut",
        status_code=200,
        summary="Lower a live lot's asking price (body `{price}`, or `{}` for the slow-sale advice's suggested "
        "price); recorded in the lot's price history, and saved searches are checked again",
    )
    async def price_cut(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        lot_id: Id,
        runtime: Runtime,
        data: schemas.PriceCutIn | None = None,
    ) -> schemas.PriceCutOut:
        answer = await pricing.apply_price_cut(
            db_session, current_principal(request), lot_id, data.price if data else None, now=runtime.clock.now()
        )
        await db_session.commit()
        await runtime.bid_engine.drop_state(lot_id)
        publish_event(runtime, lot_channel(lot_id), "status", {})
        await lot_went_live(runtime, lot_id)
        return answer
