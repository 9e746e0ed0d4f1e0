"""Notifications for negotiation events, addressed to an org, linking to the thread page."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.i18n.messages import Msg
from exchange.notifications.services import notify
from exchange.runtime import Runtime

__all__ = ["notify_thread"]


async def notify_thread(
    session: AsyncSession,
    org_id: int,
    thread_id: int,
    *,
    kind: str,
    title: str | Msg,
    body: str | Msg = "",
    runtime: Runtime | None = None,
    link: str | None = None,
) -> None:
    """Notify `org_id` about a thread; the link goes to the thread unless another page is given."""
    await notify(session, org_id, kind=kind, title=title, body=body, link=link or f"/rfqs/{thread_id}", runtime=runtime)
