"""Telling an order's parties what happened and what they must do: in-app notification plus e-mail."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import User
from exchange.i18n.locales import using
from exchange.i18n.messages import Msg, as_msg
from exchange.mail.outbox import queue_mail
from exchange.notifications.services import notify
from exchange.orders.models import Order
from exchange.runtime import Runtime

__all__ = ["mail_text", "mail_users", "tell", "tell_org"]

SEE_IT = Msg("See it on the exchange:")


def mail_text(text: str | Msg, locale: str | None, time_zone: str | None = None) -> str:
    """`text` as the recipient reads it: in their chosen language and time zone (English by default)."""
    with using(locale, time_zone):
        return text.render() if isinstance(text, Msg) else text


async def tell_org(
    session: AsyncSession,
    org_id: int,
    *,
    kind: str,
    title: str | Msg,
    body: str | Msg,
    link: str,
    runtime: Runtime | None = None,
) -> None:
    """A notification for every member of `org_id` and a mail to each of them, in their own language
    (sent if the transaction commits)."""
    await notify(session, org_id, kind=kind, title=title, body=body, link=link, runtime=runtime)
    await mail_users(session, User.org_id == org_id, subject=title, body=body, footer=SEE_IT, link=link)


async def mail_users(
    session: AsyncSession,
    who: ColumnElement[bool],
    *,
    subject: str | Msg,
    body: str | Msg,
    footer: Msg,
    link: str,
) -> None:
    """A mail to every user matching `who`, each in their own language and time zone, ending `footer link`
    (queued in the outbox: sent if the transaction commits)."""
    users = (await session.execute(select(User.email, User.locale, User.time_zone).where(who))).all()
    for email, locale, time_zone in users:
        queue_mail(
            session,
            to=email,
            subject=mail_text(subject, locale, time_zone)[:200],
            body=f"{mail_text(body, locale, time_zone)}\n\n{mail_text(footer, locale)} {link}",
        )


async def tell(
    session: AsyncSession,
    order: Order,
    side: str,
    *,
    kind: str,
    title: str | Msg,
    body: str | Msg,
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
        title=Msg("Order {order}: {what}", order=order.id, what=as_msg(title)),
        body=as_msg(body),
        link=f"/orders/{order.id}",
        runtime=runtime,
    )
