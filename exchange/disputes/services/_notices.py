"""Telling the two sides of a dispute (and the admins) what happened: in-app notification plus e-mail."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import User
from exchange.disputes.models import Dispute
from exchange.i18n.messages import Msg, as_msg
from exchange.orders.models import Order
from exchange.orders.notices import mail_users, tell_org
from exchange.runtime import Runtime

__all__ = ["tell", "tell_admins", "tell_both"]

QUEUE = Msg("Arbitration queue:")


async def tell(
    session: AsyncSession,
    order: Order,
    dispute: Dispute,
    side: str,
    *,
    kind: str,
    title: str | Msg,
    body: str | Msg,
    runtime: Runtime | None = None,
) -> None:
    org_id = {"buyer": order.buyer_org_id, "seller": order.seller_org_id}[side]
    await tell_org(
        session,
        org_id,
        kind=kind,
        title=Msg("Order {order}: {what}", order=order.id, what=as_msg(title)),
        body=as_msg(body),
        link=f"/disputes/{dispute.id}",
        runtime=runtime,
    )


async def tell_both(
    session: AsyncSession,
    order: Order,
    dispute: Dispute,
    *,
    kind: str,
    title: str | Msg,
    body: str | Msg,
    runtime: Runtime | None = None,
) -> None:
    for side in ("buyer", "seller"):
        await tell(session, order, dispute, side, kind=kind, title=title, body=body, runtime=runtime)


async def tell_admins(session: AsyncSession, dispute: Dispute, *, subject: str | Msg, body: str | Msg) -> None:
    """A mail to every admin, in their language (admins have no organisation to notify in-app; their queue
    shows the dispute)."""
    await mail_users(session, User.is_admin.is_(True), subject=subject, body=body, footer=QUEUE, link="/admin/disputes")
