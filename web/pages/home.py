"""The landing page and each role's dashboard."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.guards import current_principal, requires_signed_in
from exchange.dashboards.services import needs_me
from exchange.lots import services as lot_services
from exchange.runtime import Runtime
from web.dashboard_words import FIGURE_WORDS, TASK_WORDS
from web.pages.lots import dashboard_panels_for
from web.pages.rfq.panels import rfq_dashboard

__all__ = ["HomePages"]


class HomePages(Controller):
    include_in_schema = False

    @get("/")
    async def landing(self) -> Template:
        return Template("landing/index.html")

    @get("/dashboard", guards=[requires_signed_in])
    async def dashboard(self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime) -> Template:
        principal = current_principal(request)
        needs = await needs_me(db_session, principal, runtime.clock.now())
        rfq_panels, rfq_context = await rfq_dashboard(db_session, principal)
        auction_panels = ["auctions/_dashboard_panel.html"] if principal.role == "buyer" else []
        alert_panels = {
            "buyer": ["alerts/_suggestions_panel.html"],
            "seller": ["alerts/_slow_sales_panel.html"],
        }.get(principal.role, [])
        panels = [*dashboard_panels_for(principal.role), *auction_panels, *rfq_panels, *alert_panels]
        invited = []
        if principal.role in ("buyer", "broker") and principal.org_id is not None:
            invited = await lot_services.lots_inviting(db_session, principal.org_id)
            panels.insert(0, "lots/_invited_panel.html")
        return Template(
            "dashboard/index.html",
            context={
                "principal": principal,
                "needs": needs,
                "task_words": TASK_WORDS,
                "figure_words": FIGURE_WORDS,
                "dashboard_panels": panels,
                "invited_lots": invited,
                **rfq_context,
            },
        )
