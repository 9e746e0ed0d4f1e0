"""The landing page and each role's dashboard."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from exchange.accounts.guards import current_principal, requires_signed_in

__all__ = ["HomePages"]


class HomePages(Controller):
    include_in_schema = False

    @get("/")
    async def landing(self) -> Template:
        return Template("landing/index.html")

    @get("/dashboard", guards=[requires_signed_in])
    async def dashboard(self, request: Request[Any, Any, Any]) -> Template:
        principal = current_principal(request)
        panels = ["auctions/_dashboard_panel.html"] if principal.role == "buyer" else []
        return Template("dashboard/index.html", context={"principal": principal, "dashboard_panels": panels})
