"""Order use cases. `create_order_for_lot` is the one way a lot gets sold, whichever path sells it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.audit import record
from exchange.audit.actors import CLOCK
from exchange.errors import Conflict, NotFound
from exchange.lots.errors import LOT_UNAVAILABLE
from exchange.lots.models import Lot
from exchange.money import format_minor
from exchange.orders import schemas
from exchange.orders.models import Order

__all__ = ["create_order_for_lot", "get_order_for", "list_orders_for", "order_out"]

SOLD_STATUS = {"award": "awarded", "purchase": "sold", "quote": "sold", "proposal": "sold"}


async def create_order_for_lot(
    session: AsyncSession,
    lot_id: int,
    *,
    buyer_org_id: int,
    amount_minor: int,
    source: str,
    terms: dict[str, Any] | None = None,
    from_statuses: tuple[str, ...] = ("live",),
    actor: str | None = None,
) -> Order:
    """Move the lot from a sellable status to sold/awarded and create its order, or refuse with 409.

    The status change is one conditional UPDATE, so of two paths racing to sell one lot (a purchase
    and an accepted quote, say) exactly one changes a row; the other is told the lot is gone. The lot's
    change goes to the audit log: "close" by the clock for an award, "sell" by `actor` (default: the
    buyer's org) otherwise.
    """
    result = await session.execute(
        update(Lot)
        .where(Lot.id == lot_id, Lot.status.in_(from_statuses))
        .values(status=SOLD_STATUS[source], winning_amount_minor=amount_minor)
        .returning(Lot.seller_org_id, Lot.currency)
    )
    row = result.first()
    if row is None:
        raise Conflict(
            "This lot is no longer available: it has been sold, awarded, closed or withdrawn.",
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
    )
    session.add(order)
    await session.flush()
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
        at=order.created_at,
    )
    return order


def order_out(order: Order, lot_title: str | None = None) -> schemas.Order:
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
        terms=order.terms or {},
        lot_title=lot_title,
    )


def _visible_to(principal: Principal) -> Any:
    if principal.is_admin:
        return True
    return or_(Order.buyer_org_id == principal.org_id, Order.seller_org_id == principal.org_id)


async def list_orders_for(session: AsyncSession, principal: Principal, *, limit: int = 200) -> list[schemas.Order]:
    """Orders where the caller's org is the buyer or the seller (admins see all), newest first."""
    if principal.org_id is None and not principal.is_admin:
        return []
    rows = await session.execute(
        select(Order, Lot.title)
        .join(Lot, Lot.id == Order.lot_id)
        .where(_visible_to(principal))
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(limit)
    )
    return [order_out(order, title) for order, title in rows.all()]


async def get_order_for(session: AsyncSession, principal: Principal, order_id: int) -> schemas.Order:
    """One order; 404 to anyone whose org is neither party (admins excepted)."""
    row = (
        await session.execute(
            select(Order, Lot.title)
            .join(Lot, Lot.id == Order.lot_id)
            .where(Order.id == order_id, _visible_to(principal))
        )
    ).first()
    if row is None:
        raise NotFound(f"There is no order {order_id}, or it is not yours.")
    return order_out(row[0], row[1])
