"""Notification pages: the list and the unread counter in the header (the live stream: exchange.live.api)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.guards import current_principal, requires_signed_in
from exchange.notifications import services
from web.notification_links import link_words

__all__ = ["NotificationPages"]


class NotificationPages(Controller):
    include_in_schema = False
    guards = [requires_signed_in]

    @get("/notifications")
    async def list_page(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        """The list, in the reader's language; opening it marks everything read (what was new is still
        highlighted this once), so the bell's count clears."""
        org_id = current_principal(request).org_id
        items = await services.list_for_reader(db_session, org_id) if org_id else []
        if org_id and any(not item.read for item in items):
            await services.mark_all_read(db_session, org_id)
        return Template(
            "notifications/list.html",
            context={"items": [(item, link_words(item.link)) for item in items]},
        )

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
