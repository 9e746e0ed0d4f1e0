"""The seller's own lots by status (`/seller/lots`) and the dashboard panels of the catalogue."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.guards import current_principal, requires_admin, requires_org_kind, requires_signed_in
from exchange.i18n.catalog import N_
from exchange.lots import services

__all__ = ["TABS", "CataloguePanels", "SellerLotPages", "dashboard_panels_for"]

TABS: dict[str, tuple[str, tuple[str, ...]]] = {
    "all": (N_("All"), ()),
    "draft": (N_("Drafts"), ("draft",)),
    "in_review": (N_("In review"), ("in_review",)),
    "live": (N_("Live"), ("live",)),
    "closed": (N_("Sold and closed"), ("awarded", "sold", "unsold", "expired", "withdrawn")),
}
_PANELS = {
    "seller": ["lots/_panel_seller.html"],
    "buyer": ["lots/_panel_search.html"],
    "broker": ["lots/_panel_search.html"],
    "admin": ["lots/_panel_admin.html"],
}


def dashboard_panels_for(role: str) -> list[str]:
    """The catalogue's panels on a role's dashboard (templates the dashboard includes)."""
    return list(_PANELS.get(role, []))


class SellerLotPages(Controller):
    path = "/seller/lots"
    include_in_schema = False
    guards = [requires_org_kind("seller")]

    @get("/")
    async def mine(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        tab: Annotated[str, QueryParameter(name="status")] = "all",
    ) -> Template:
        tab = tab if tab in TABS else "all"
        lots = await services.list_seller_lots(db_session, current_principal(request))
        counts = {name: sum(1 for lot in lots if not statuses or lot.status in statuses)
                  for name, (_, statuses) in TABS.items()}  # fmt: skip
        shown = [lot for lot in lots if not TABS[tab][1] or lot.status in TABS[tab][1]]
        return Template("lots/seller.html", context={"lots": shown, "tab": tab, "tabs": TABS, "counts": counts})


class CataloguePanels(Controller):
    """Small fragments the dashboard panels load (each also a plain link without JS)."""

    path = "/dashboard/catalogue"
    include_in_schema = False
    guards = [requires_signed_in]

    @get("/seller", guards=[requires_org_kind("seller")])
    async def seller(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        lots = await services.list_seller_lots(db_session, current_principal(request))
        counts = {name: sum(1 for lot in lots if not statuses or lot.status in statuses)
                  for name, (_, statuses) in TABS.items()}  # fmt: skip
        return Template("lots/_panel_seller_counts.html", context={"counts": counts, "tabs": TABS})

    @get("/reviews", guards=[requires_admin])
    async def reviews(self, db_session: AsyncSession) -> Template:
        waiting = len(await services.review_queue(db_session))
        return Template("lots/_panel_admin_count.html", context={"waiting": waiting})
