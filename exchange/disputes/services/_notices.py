"""Telling the two sides of a dispute (and the admins) what happened: in-app notification plus e-mail."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import User
from exchange.disputes.models import Dispute
from exchange.mail.outbox import queue_mail
from exchange.orders.models import Order
from exchange.orders.notices import tell_org
from exchange.runtime import Runtime

__all__ = ["tell", "tell_admins", "tell_both"]


async def tell(
    session: AsyncSession,
    order: Order,
    dispute: Dispute,
    side: str,
    *,
    kind: str,
    title: str,
    body: str,
    runtime: Runtime | None = None,
) -> None:
    org_id = {"buyer": order.buyer_org_id, "seller": order.seller_org_id}[side]
    await tell_org(
        session,
        org_id,
        kind=kind,
        title=f"Order {order.id}: {title}",
        body=body,
        link=f"/disputes/{dispute.id}",
        runtime=runtime,
    )


async def tell_both(
    session: AsyncSession,
    order: Order,
    dispute: Dispute,
    *,
    kind: str,
    title: str,
    body: str,
    runtime: Runtime | None = None,
) -> None:
    for side in ("buyer", "seller"):
        await tell(session, order, dispute, side, kind=kind, title=title, body=body, runtime=runtime)


async def tell_admins(session: AsyncSession, dispute: Dispute, *, subject: str, body: str) -> None:
    """A mail to every admin (admins have no organisation to notify in-app; their queue shows the dispute)."""
    emails = (await session.scalars(select(User.email).where(User.is_admin.is_(True)))).all()
    for email in emails:
        queue_mail(session, to=email, subject=subject[:200], body=f"{body}\n\n/admin/disputes")
