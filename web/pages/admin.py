"""Admin pages: organisations and their verification."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts import services
from exchange.accounts.guards import requires_admin
from exchange.i18n.messages import Msg
from exchange.params import Id

__all__ = ["AdminPages"]


class AdminPages(Controller):
    path = "/admin"
    include_in_schema = False
    guards = [requires_admin]

    @get("/orgs")
    async def orgs(self, db_session: AsyncSession) -> Template:
        return Template("admin/orgs.html", context={"orgs": await services.list_orgs(db_session)})

    @post("/orgs/{org_id:int}/verify")
    async def verify(self, request: Request[Any, Any, Any], org_id: Id, db_session: AsyncSession) -> Redirect:
        org = await services.verify_org(db_session, org_id)
        flash(request, Msg("{org} is verified.", org=org.name).render(), category="success")
        return Redirect("/admin/orgs", status_code=303)
