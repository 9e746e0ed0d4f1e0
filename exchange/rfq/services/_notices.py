"""Notifications for negotiation events, addressed to an org, linking to the thread page."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.notifications.services import notify
from exchange.runtime import Runtime

__all__ = ["notify_thread"]


async def notify_thread(
    session: AsyncSession,
    org_id: int,
    thread_id: int,
    *,
    kind: str,
    title: str,
    body: str = "",
    runtime: Runtime | None = None,
) -> None:
    await notify(session, org_id, kind=kind, title=title, body=body, link=f"/rfqs/{thread_id}", runtime=runtime)
