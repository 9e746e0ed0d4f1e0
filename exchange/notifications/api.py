"""Notifications JSON API (an org's own only)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import paging
from exchange.accounts.guards import current_principal, requires_signed_in
from exchange.errors import NotFound
from exchange.i18n.catalog import N_
from exchange.notifications import schemas, services

__all__ = ["NotificationsController"]


class MarkedRead(msgspec.Struct):
    marked: int


def _org_id(request: Request[Any, Any, Any]) -> int:
    org_id = current_principal(request).org_id
    if org_id is None:
        raise NotFound(N_("Administrators have no organisation notifications."))
    return org_id


class NotificationsController(Controller):
    path = "/api/notifications"
    tags = ["notifications"]
    guards = [requires_signed_in]

    @get("/", summary="Your organisation's notifications, newest first, with the unread count")
    async def list_notifications(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        limit: paging.Limit = None,
        offset: paging.Offset = None,
    ) -> schemas.NotificationList:
        window = paging.window(limit, offset)
        listing = await services.list_notifications(db_session, _org_id(request), window)
        listing.next = window.next_url_for(request, listing.total)
        return listing

    @post("/read", status_code=200, summary="Mark every notification read")
    async def mark_read(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> MarkedRead:
        return MarkedRead(marked=await services.mark_all_read(db_session, _org_id(request)))
