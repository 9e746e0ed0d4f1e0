"""Who the caller is on an order or a dispute: buyer, seller, admin — or nobody, who gets a 404."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.disputes.errors import dispute_not_found
from exchange.disputes.models import Dispute
from exchange.errors import NotFound
from exchange.i18n.messages import Msg
from exchange.orders.errors import ORDER_NOT_FOUND
from exchange.orders.models import Order
from exchange.orders.rules import Actor, side_of

__all__ = ["actor_for", "dispute_for", "lock_order", "order_for", "side_on"]


def side_on(principal: Principal, buyer_org_id: int, seller_org_id: int) -> str | None:
    return side_of(
        principal.org_id, is_admin=principal.is_admin, buyer_org_id=buyer_org_id, seller_org_id=seller_org_id
    )


def actor_for(principal: Principal, side: str) -> Actor:
    """The actor of the order table for the caller on `side` (the audit log names the admin user or the org)."""
    return Actor(side, f"admin:{principal.user_id}" if side == "admin" else f"org:{principal.org_id}")


async def order_for(session: AsyncSession, principal: Principal, order_id: int) -> tuple[Order, str]:
    """The order and the caller's side on it; 404 to anyone who is neither party nor an admin."""
    order = await session.get(Order, order_id, populate_existing=True)
    side = side_on(principal, order.buyer_org_id, order.seller_org_id) if order is not None else None
    if order is None or side is None:
        raise NotFound(
            Msg("There is no order {order_id}, or your organisation is not a party to it.", order_id=order_id),
            code=ORDER_NOT_FOUND,
        )
    return order, side


async def dispute_for(session: AsyncSession, principal: Principal, dispute_id: int) -> tuple[Dispute, str]:
    """The dispute and the caller's side on it; 404 to anyone who is neither party nor an admin."""
    dispute = await session.get(Dispute, dispute_id, populate_existing=True)
    side = side_on(principal, dispute.buyer_org_id, dispute.seller_org_id) if dispute is not None else None
    if dispute is None or side is None:
        raise dispute_not_found(dispute_id)
    return dispute, side


async def lock_order(session: AsyncSession, order_id: int) -> Order:
    """The order row, locked for this transaction (PostgreSQL; SQLite serialises writers anyway), reloaded."""
    order = await session.scalar(
        select(Order).where(Order.id == order_id).with_for_update().execution_options(populate_existing=True)
    )
    assert order is not None
    return order
