"""Saved searches and their settings, buyers' suggestions, and sellers' pricing and slow-sale panels."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.guards import current_principal, requires_org_kind, requires_signed_in
from exchange.alerts import schemas
from exchange.alerts.services import pricing, saved_searches
from exchange.alerts.services.preferences import suggestions_for
from exchange.alerts.services.slow_sale import advised_lots
from exchange.errors import DomainError, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Money, Msg, as_msg
from exchange.live.channels import lot_channel, publish_event
from exchange.lots.events import lot_went_live
from exchange.lots.models import Lot
from exchange.params import Id
from exchange.runtime import Runtime
from web.form_errors import plain_words
from web.pages.forms import form_fields

__all__ = ["AlertPages", "PricingPages"]


class AlertPages(Controller):
    include_in_schema = False
    guards = [requires_org_kind("buyer")]

    @get("/saved-searches")
    async def list_page(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        principal = current_principal(request)
        listing = await saved_searches.list_saved_searches(db_session, principal)
        return Template("alerts/saved_searches.html", context={"listing": listing})

    @post("/saved-searches")
    async def create(self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime) -> Redirect:
        form = await form_fields(request)
        frequency = form.get("frequency", "instant")
        try:
            if frequency not in ("instant", "daily"):
                raise Unprocessable(N_("Choose instant alerts or a daily digest."), field="frequency")
            data = schemas.SavedSearchIn(
                name=(form.get("name") or "")[:120] or " ",
                query=(form.get("query") or "")[:2000],
                frequency=frequency,  # type: ignore[arg-type]
            )
            saved = await saved_searches.create_saved_search(
                db_session, current_principal(request), data, now=runtime.clock.now()
            )
        except DomainError as error:
            flash(request, Msg("Not saved: {reason}", reason=as_msg(plain_words(error))).render(), category="error")
            return Redirect("/saved-searches", status_code=303)
        flash(
            request,
            Msg("Saved “{name}”: new lots that match it will alert you.", name=saved.name).render(),
            category="success",
        )
        return Redirect("/saved-searches", status_code=303)

    @post("/saved-searches/{search_id:int}/delete")
    async def remove(self, request: Request[Any, Any, Any], db_session: AsyncSession, search_id: Id) -> Redirect:
        await saved_searches.delete_saved_search(db_session, current_principal(request), search_id)
        flash(request, N_("Saved search deleted."), category="success")
        return Redirect("/saved-searches", status_code=303)

    @post("/saved-searches/settings")
    async def settings(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Redirect:
        form = await form_fields(request)
        enabled = form.get("suggestions_enabled") in ("on", "true", "1")
        org_id = current_principal(request).org_id or 0
        await saved_searches.set_alert_settings(db_session, org_id, suggestions_enabled=enabled)
        flash(request, N_("Suggestions are on.") if enabled else N_("Suggestions are off."), category="success")
        return Redirect("/saved-searches", status_code=303)

    @get("/dashboard/suggestions")
    async def suggestions_panel(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        listing = await suggestions_for(db_session, current_principal(request).org_id or 0)
        return Template("alerts/_suggestions.html", context={"suggestions": listing})


class PricingPages(Controller):
    include_in_schema = False
    guards = [requires_signed_in]

    @get("/lots/{lot_id:int}/pricing")
    async def pricing_page(self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id) -> Template:
        """The seller's pricing and slow-sale panel: the whole page, or the panel alone for HTMX."""
        advice = await pricing.lot_pricing(db_session, current_principal(request), lot_id)
        lot = await db_session.get(Lot, lot_id)
        context = {"pricing": advice, "lot_title": lot.title if lot else "", "lot_status": lot.status if lot else ""}
        if request.headers.get("hx-request"):
            return Template("alerts/_pricing.html", context=context)
        return Template("alerts/pricing.html", context=context)

    @post("/lots/{lot_id:int}/price-cut")
    async def price_cut(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id, runtime: Runtime
    ) -> Redirect:
        form = await form_fields(request)
        price = (form.get("price") or "").strip() or None
        try:
            cut = await pricing.apply_price_cut(
                db_session, current_principal(request), lot_id, price, now=runtime.clock.now()
            )
        except DomainError as error:
            if error.status_code == 404:
                raise
            flash(
                request,
                Msg("Price not changed: {reason}", reason=as_msg(plain_words(error))).render(),
                category="error",
            )
            return Redirect(f"/lots/{lot_id}/pricing", status_code=303)
        await db_session.commit()
        await runtime.bid_engine.drop_state(lot_id)
        publish_event(runtime, lot_channel(lot_id), "status", {})
        await lot_went_live(runtime, lot_id)
        flash(
            request,
            Msg(
                "Price lowered from {old} to {new}.",
                old=Money(cut.old_price, cut.currency),
                new=Money(cut.new_price, cut.currency),
            ).render(),
            category="success",
        )
        return Redirect(f"/lots/{lot_id}", status_code=303)

    @get("/dashboard/slow-sales", guards=[requires_org_kind("seller")])
    async def slow_sales_panel(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        """The seller's live lots that got slow-sale advice not yet applied."""
        advised = await advised_lots(db_session, current_principal(request).org_id or 0)
        lots = [{"id": lot_id, "title": title} for lot_id, title in advised]
        return Template("alerts/_slow_sales.html", context={"lots": lots})
