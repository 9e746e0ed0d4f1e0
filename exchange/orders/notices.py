"""Telling an order's parties what happened and what they must do: in-app notification plus e-mail."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import User
from exchange.mail.outbox import queue_mail
from exchange.notifications.services import notify
from exchange.orders.models import Order
from exchange.runtime import Runtime

__all__ = ["tell", "tell_org"]


async def tell_org(
    session: AsyncSession,
    org_id: int,
    *,
    kind: str,
    title: str,
    body: str,
    link: str,
    runtime: Runtime | None = None,
) -> None:
    """A notification for every member of `org_id` and a mail to each of them (sent if the transaction commits)."""
    await notify(session, org_id, kind=kind, title=title, body=body, link=link, runtime=runtime)
    emails = (await session.scalars(select(User.email).where(User.org_id == org_id))).all()
    for email in emails:
        queue_mail(session, to=email, subject=title[:200], body=f"{body}\n\n{link}")


async def tell(
    session: AsyncSession,
    order: Order,
    side: str,
    *,
    kind: str,
    title: str,
    body: str,
    runtime: Runtime | None = None,
) -> None:
    """Tell the buyer or the seller of `order` (any other side: nobody)."""
    org_id = {"buyer": order.buyer_org_id, "seller": order.seller_org_id}.get(side)
    if org_id is None:
        return
    await tell_org(
        session,
        org_id,
        kind=kind,
        title=f"Order {order.id}: {title}",
        body=body,
        link=f"/orders/{order.id}",
        runtime=runtime,
    )
