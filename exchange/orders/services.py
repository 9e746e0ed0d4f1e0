"""Order use cases. `create_order_for_lot` is the one way a lot gets sold, whichever path sells it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import paging
from exchange.accounts.principal import Principal
from exchange.audit import record
from exchange.audit.actors import CLOCK
from exchange.db.base import utcnow
from exchange.errors import Conflict, NotFound
from exchange.fees import services as fee_services
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.lots.errors import LOT_UNAVAILABLE
from exchange.lots.models import Lot
from exchange.money import format_minor
from exchange.orders import deadlines, escrow, rules, schemas
from exchange.orders.credit import credit_line
from exchange.orders.errors import ORDER_NOT_FOUND
from exchange.orders.models import Order, OrderEvent
from exchange.orders.transitions import facts_of
from exchange.settings import OrderSettings

__all__ = [
    "BROKER_ONLY_TERMS",
    "create_order_for_lot",
    "get_order_for",
    "list_orders_for",
    "load_for",
    "order_facts",
    "order_out",
    "order_view",
    "terms_for",
]

SOLD_STATUS = {"award": "awarded", "purchase": "sold", "quote": "sold", "proposal": "sold", "runner_up": "awarded"}
DEFAULT_PAYMENT_WINDOW = OrderSettings().payment_window
BROKER_ONLY_TERMS = frozenset({"cost_minor", "margin_minor", "commission_minor", "commission_percent"})
"""Terms of a proposal's order that its buyer (the broker's client) never sees."""


def terms_for(order: Order, viewer_org_id: int | None) -> dict[str, Any]:
    """The order's terms as this viewer may see them: a proposal's buyer never sees the broker's numbers."""
    terms = dict(order.terms or {})
    if order.source == "proposal" and viewer_org_id == order.buyer_org_id:
        terms = {key: value for key, value in terms.items() if key not in BROKER_ONLY_TERMS}
    return terms


async def create_order_for_lot(
    session: AsyncSession,
    lot_id: int,
    *,
    buyer_org_id: int,
    amount_minor: int,
    source: str,
    terms: dict[str, Any] | None = None,
    from_statuses: tuple[str, ...] = ("live",),
    at: datetime | None = None,
    payment_window: timedelta | None = None,
    actor: str | None = None,
) -> Order:
    """Move the lot from a sellable status to sold/awarded and create its order, or refuse with 409.

    The status change is one conditional UPDATE, so of two paths racing to sell one lot (a purchase
    and an accepted quote, say) exactly one changes a row; the other is told the lot is gone. The order
    starts its payment deadline (`payment_window`, PAYMENT_WINDOW's default when not given) and its timeline.
    The lot's change goes to the audit log: "close" by the clock for an award, "sell" by `actor` (default:
    the buyer's org) otherwise.
    """
    at = at or utcnow()
    window = payment_window or DEFAULT_PAYMENT_WINDOW
    result = await session.execute(
        update(Lot)
        .where(Lot.id == lot_id, Lot.status.in_(from_statuses))
        .values(status=SOLD_STATUS[source], winning_amount_minor=amount_minor)
        .returning(Lot.seller_org_id, Lot.currency, Lot.category)
    )
    row = result.first()
    if row is None:
        raise Conflict(
            N_("This lot is no longer available: it has been sold, awarded, closed or withdrawn."),
            code=LOT_UNAVAILABLE,
            title="Lot no longer available",
        )
    order = Order(
        lot_id=lot_id,
        buyer_org_id=buyer_org_id,
        seller_org_id=row[0],
        amount_minor=amount_minor,
        currency=row[1],
        source=source,
        terms=terms or {},
        created_at=at,
        updated_at=at,
        fee_schedule_id=(await fee_services.schedule_in_force(session, row[2], at)).id,
    )
    session.add(order)
    await session.flush()
    session.add(OrderEvent(order_id=order.id, action="create", status=order.status, at=at, by="system", detail={}))
    await deadlines.start(session, order.id, "payment", at + window, length=window)
    await record(
        session,
        actor=actor or (CLOCK if source == "award" else f"org:{buyer_org_id}"),
        object_type="lot",
        object_id=lot_id,
        action="close" if source == "award" else "sell",
        before={"status": from_statuses[0] if len(from_statuses) == 1 else list(from_statuses)},
        after={
            "status": SOLD_STATUS[source],
            "order_id": order.id,
            "buyer_org_id": buyer_org_id,
            "amount": format_minor(amount_minor, order.currency),
            "currency": order.currency,
            "source": source,
        },
        at=at,
    )
    return order


def order_out(order: Order, lot_title: str | None = None, *, viewer_org_id: int | None = None) -> schemas.Order:
    return schemas.Order(
        id=order.id,
        lot_id=order.lot_id,
        buyer_org_id=order.buyer_org_id,
        seller_org_id=order.seller_org_id,
        amount=format_minor(order.amount_minor, order.currency) or "0",
        currency=order.currency,
        status=order.status,
        source=order.source,
        created_at=order.created_at,
        terms=terms_for(order, viewer_org_id),
        lot_title=lot_title,
        shipment=order.shipment or {},
        on_credit=order.on_credit,
        invoice_due_at=order.invoice_due_at,
        invoice_paid_at=order.invoice_paid_at,
    )


def _visible_to(principal: Principal) -> Any:
    if principal.is_admin:
        return True
    return or_(Order.buyer_org_id == principal.org_id, Order.seller_org_id == principal.org_id)


def _orders_query(principal: Principal) -> Any:
    return (
        select(Order, Lot.title)
        .join(Lot, Lot.id == Order.lot_id)
        .where(_visible_to(principal))
        .order_by(Order.created_at.desc(), Order.id.desc())
    )


async def list_orders_for(session: AsyncSession, principal: Principal, *, limit: int = 200) -> list[schemas.Order]:
    """Orders where the caller's org is the buyer or the seller (admins see all), newest first."""
    if principal.org_id is None and not principal.is_admin:
        return []
    rows = await session.execute(_orders_query(principal).limit(limit))
    return [order_out(order, title, viewer_org_id=principal.org_id) for order, title in rows.all()]


async def orders_page_for(
    session: AsyncSession, principal: Principal, window: paging.Window
) -> tuple[list[schemas.Order], int]:
    """One window of `list_orders_for`'s orders, and how many there are in all."""
    if principal.org_id is None and not principal.is_admin:
        return [], 0
    rows, total = await paging.fetch_window(session, _orders_query(principal), window)
    return [order_out(order, title, viewer_org_id=principal.org_id) for order, title in rows], total


async def load_for(
    session: AsyncSession, principal: Principal, order_id: int, *, lock: bool = False
) -> tuple[Order, str]:
    """The order and the caller's side on it (buyer, seller, admin); 404 to any third organisation."""
    query = select(Order).where(Order.id == order_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    order = await session.scalar(query)
    side = (
        rules.side_of(
            principal.org_id,
            is_admin=principal.is_admin,
            buyer_org_id=order.buyer_org_id,
            seller_org_id=order.seller_org_id,
        )
        if order is not None
        else None
    )
    if order is None or side is None:
        raise NotFound(Msg("There is no order {order}, or it is not yours.", order=order_id), code=ORDER_NOT_FOUND)
    return order, side


async def order_facts(session: AsyncSession, order: Order) -> set[str]:
    """The facts the transition table's conditional rows need (credit terms of the buyer)."""
    line = await credit_line(session, order.buyer_org_id) if order.status == "awaiting_payment" else None
    return facts_of(order, has_credit_line=line is not None and line.currency == order.currency)


async def order_view(session: AsyncSession, order: Order, side: str) -> schemas.Order:
    """The whole order as `side` sees it: deadlines, what it may do now, the timeline, fees for seller/admin."""
    title = await session.scalar(select(Lot.title).where(Lot.id == order.lot_id))
    out = order_out(order, title, viewer_org_id=order.buyer_org_id if side == "buyer" else None)
    out.deadlines = await deadlines.open_deadlines(session, order.id)
    out.allowed_actions = rules.allowed_actions(order.status, side, await order_facts(session, order))
    events = await session.scalars(
        select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.at, OrderEvent.id)
    )
    out.timeline = [schemas.TimelineEntry(status=e.status, at=e.at, by=e.by, action=e.action) for e in events]
    if side in ("buyer", "admin"):
        out.amount_due = format_minor(await escrow.amount_due(session, order), order.currency)
    if side in ("seller", "admin"):
        split = await escrow.fees_for(session, order)
        money = (split.platform_fee, split.broker_commission, split.seller_net)
        out.fees = schemas.Fees(*(format_minor(part, order.currency) or "0" for part in money))
    return out


async def get_order_for(session: AsyncSession, principal: Principal, order_id: int) -> schemas.Order:
    """One order; 404 to anyone whose org is neither party (admins excepted)."""
    order, side = await load_for(session, principal, order_id)
    return await order_view(session, order, side)
