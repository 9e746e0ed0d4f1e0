"""Telling the two sides of a dispute (and the admins) what happened: in-app notification plus e-mail."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import User
from exchange.disputes.models import Dispute
from exchange.i18n.messages import Msg, as_msg
from exchange.mail.outbox import queue_mail
from exchange.orders.models import Order
from exchange.orders.notices import mail_text, tell_org
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
    admins = (
        await session.execute(select(User.email, User.locale, User.time_zone).where(User.is_admin.is_(True)))
    ).all()
    for email, locale, time_zone in admins:
        queue_mail(
            session,
            to=email,
            subject=mail_text(subject, locale, time_zone)[:200],
            body=f"{mail_text(body, locale, time_zone)}\n\n{mail_text(QUEUE, locale)} /admin/disputes",
        )
