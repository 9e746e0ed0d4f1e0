"""Credit terms: a buyer org's limit and net days, its exposure, and the block an overdue invoice puts on it.

`ensure_not_overdue` is the one check the sales entry points call (bids, purchases, RFQ accepts).
Exposure is raised by one conditional UPDATE that keeps it within the limit, so two shipments racing
for the last of a limit cannot both pass.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Org
from exchange.errors import Conflict, Forbidden, NotFound, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg, MsgText
from exchange.money import format_minor, parse_currency, parse_money
from exchange.orders import schemas
from exchange.orders.errors import CREDIT_LIMIT, INVOICE_OVERDUE, NOT_ON_CREDIT
from exchange.orders.models import CreditLine, Order

__all__ = [
    "NET_TERMS",
    "OVERDUE_INVOICES",
    "credit_line",
    "credit_out",
    "ensure_not_overdue",
    "grant",
    "is_overdue",
    "overdue_refusal",
    "release",
    "reserve",
]

NET_TERMS = (30, 45)


async def credit_line(session: AsyncSession, org_id: int) -> CreditLine | None:
    return await session.get(CreditLine, org_id)


def _overdue_orders(org_id: int, now: datetime) -> Select[int]:
    return select(Order.id).where(Order.buyer_org_id == org_id, *_overdue(now))


def _overdue(now: datetime | BindParameter[datetime]) -> tuple[ColumnElement[bool], ...]:
    """The rule: an order shipped on credit whose invoice is unpaid past its due date (and not cancelled)."""
    return (
        Order.on_credit.is_(True),
        Order.invoice_paid_at.is_(None),
        Order.invoice_due_at < now,
        Order.status != "cancelled",
    )


OVERDUE_INVOICES = (
    select(Order.buyer_org_id, Order.id, Order.invoice_due_at)
    .where(
        Order.buyer_org_id.in_(bindparam("org_ids", expanding=True)),
        *_overdue(bindparam("now", type_=Order.invoice_due_at.type)),
    )
    .order_by(Order.id)
)
"""(buyer org, order, due at) of every overdue invoice of the orgs `org_ids` at `now`, by order id: the checks
of many callers as one query (`orders.overdue_checks`). Built once: its SQL is compiled and cached once."""


def overdue_refusal(order_id: int) -> Forbidden:
    """The 403 of an org with an overdue invoice (`order_id`, one of them)."""
    english = (
        f"Your organisation's invoice for order {order_id} is overdue. Pay it (POST /api/orders/{order_id}/pay) "
        "before new bids, purchases or accepts."
    )
    page = Msg(
        "Your organisation's invoice for order #{order} is overdue. Pay it on the order's page before new "
        "bids, purchases or accepts.",
        order=order_id,
    )
    return Forbidden(MsgText(page, english), code=INVOICE_OVERDUE, title=N_("Invoice overdue"))


async def is_overdue(session: AsyncSession, org_id: int, now: datetime) -> bool:
    found = await session.scalar(_overdue_orders(org_id, now).limit(1))
    return found is not None


async def ensure_not_overdue(session: AsyncSession, org_id: int | None, now: datetime) -> None:
    """403 when `org_id` has an invoice past its due date: no new bids, purchases or accepts until it is paid."""
    if org_id is None:
        return
    order_id = await session.scalar(_overdue_orders(org_id, now).limit(1))
    if order_id is not None:
        raise overdue_refusal(order_id)


async def reserve(session: AsyncSession, org_id: int, amount_minor: int, currency: str) -> bool:
    """Raise the org's exposure by `amount_minor` if it stays within the limit (one conditional UPDATE)."""
    result = await session.execute(
        update(CreditLine)
        .where(
            CreditLine.org_id == org_id,
            CreditLine.currency == currency,
            CreditLine.exposure_minor + amount_minor <= CreditLine.limit_minor,
        )
        .values(exposure_minor=CreditLine.exposure_minor + amount_minor)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


async def require_reserve(session: AsyncSession, order: Order, amount_minor: int) -> None:
    if not await reserve(session, order.buyer_org_id, amount_minor, order.currency):
        raise Conflict(
            "Shipping this order on credit would take the buyer's unpaid invoices beyond its credit limit; "
            "the buyer has to pay first.",
            code=CREDIT_LIMIT,
            title="Credit limit reached",
        )


async def release(session: AsyncSession, org_id: int, amount_minor: int) -> None:
    """Lower the exposure when an invoice is paid."""
    await session.execute(
        update(CreditLine)
        .where(CreditLine.org_id == org_id)
        .values(exposure_minor=CreditLine.exposure_minor - amount_minor)
        .execution_options(synchronize_session=False)
    )


def due_date(shipped_at: datetime, net_days: int) -> datetime:
    return shipped_at + timedelta(days=net_days)


async def grant(
    session: AsyncSession, org_id: int, data: schemas.CreditIn, *, by_user_id: int, now: datetime
) -> CreditLine:
    """Grant or change a buyer org's credit terms (admin)."""
    org = await session.get(Org, org_id)
    if org is None:
        raise NotFound(Msg("There is no organisation {org}.", org=org_id))
    if org.kind != "buyer":
        raise Unprocessable(N_("Credit terms are for buyer organisations."), field="org_id")
    if data.net_days not in NET_TERMS:
        raise Unprocessable(N_("net_days: credit terms are net 30 or net 45."), field="net_days")
    currency = parse_currency(data.currency)
    limit_minor = parse_money(data.limit, currency, field="limit")
    line = await session.get(CreditLine, org_id)
    if line is None:
        line = CreditLine(org_id=org_id, exposure_minor=0, granted_at=now)
        session.add(line)
    elif line.currency != currency and line.exposure_minor:
        raise Unprocessable(N_("The currency cannot change while invoices are unpaid."), field="currency")
    line.limit_minor, line.currency, line.net_days = limit_minor, currency, data.net_days
    line.granted_at, line.granted_by = now, by_user_id
    await session.flush()
    return line


async def credit_out(session: AsyncSession, line: CreditLine | None, org_id: int, now: datetime) -> schemas.Credit:
    if line is None:
        raise NotFound(Msg("Organisation {org} has no credit terms.", org=org_id), code=NOT_ON_CREDIT)
    return schemas.Credit(
        org_id=line.org_id,
        limit=format_minor(line.limit_minor, line.currency) or "0",
        currency=line.currency,
        net_days=line.net_days,
        exposure=format_minor(line.exposure_minor, line.currency) or "0",
        available=format_minor(max(0, line.limit_minor - line.exposure_minor), line.currency) or "0",
        overdue=await is_overdue(session, line.org_id, now),
    )
