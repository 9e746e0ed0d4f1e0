"""Notification pages: the list and the unread counter in the header (the live stream: exchange.live.api)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import paging
from exchange.accounts.guards import current_principal, requires_signed_in
from exchange.notifications import services

__all__ = ["NotificationPages"]


class NotificationPages(Controller):
    include_in_schema = False
    guards = [requires_signed_in]

    @get("/notifications")
    async def list_page(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        org_id = current_principal(request).org_id
        listing = await services.list_notifications(db_session, org_id, paging.Window(50, 0)) if org_id else None
        return Template("notifications/list.html", context={"listing": listing})

    @post("/notifications/read")
    async def mark_read(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Redirect:
        org_id = current_principal(request).org_id
        if org_id:
            await services.mark_all_read(db_session, org_id)
        return Redirect("/notifications", status_code=303)

    @get("/notifications/count")
    async def count_fragment(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        org_id = current_principal(request).org_id
        count = await services.unread_count(db_session, org_id) if org_id else 0
        return Template("notifications/_count.html", context={"count": count})
