"""Orders as the order pages list them: per role, filtered by status, side and period, with both parties named."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from exchange.accounts.models import Org
from exchange.accounts.principal import Principal
from exchange.lots.models import Lot
from exchange.orders import rules, schemas
from exchange.orders.models import Order
from exchange.orders.services import order_out

__all__ = ["PERIODS", "ROLES", "ListedOrder", "OrderFilters", "Parties", "list_orders", "parties_of"]

PERIODS: dict[str, timedelta | None] = {
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
    "365d": timedelta(days=365),
    "all": None,
}
"""How far back the list reaches (by the order's creation)."""
ROLES = ("buyer", "seller")


@dataclass(frozen=True, slots=True)
class OrderFilters:
    status: str | None = None
    """One of `rules.STATES`, or None for every state."""
    role: str | None = None
    """"buyer" or "seller": only orders where the caller's org is that side (None: both)."""
    period: str = "all"

    @classmethod
    def read(cls, status: str | None, role: str | None, period: str | None) -> OrderFilters:
        """Filters from a query string; an unknown value means no filter (a list page never refuses)."""
        return cls(
            status=status if status in rules.STATES else None,
            role=role if role in ROLES else None,
            period=period if period in PERIODS else "all",
        )


@dataclass(frozen=True, slots=True)
class Parties:
    buyer: str
    seller: str


@dataclass(frozen=True, slots=True)
class ListedOrder:
    order: schemas.Order
    buyer_name: str
    seller_name: str
    side: str
    """The caller's side on it: buyer, seller or admin."""


async def list_orders(
    session: AsyncSession, principal: Principal, filters: OrderFilters, *, now: datetime, limit: int = 200
) -> list[ListedOrder]:
    """The caller's orders (an admin's: everyone's), newest first, within the filters."""
    if principal.org_id is None and not principal.is_admin:
        return []
    buyer, seller = aliased(Org), aliased(Org)
    query = (
        select(Order, Lot.title, buyer.name, seller.name)
        .join(Lot, Lot.id == Order.lot_id)
        .join(buyer, buyer.id == Order.buyer_org_id)
        .join(seller, seller.id == Order.seller_org_id)
    )
    org = principal.org_id
    if filters.role == "buyer":
        query = query.where(Order.buyer_org_id == org)
    elif filters.role == "seller":
        query = query.where(Order.seller_org_id == org)
    elif not principal.is_admin:
        query = query.where(or_(Order.buyer_org_id == org, Order.seller_org_id == org))
    if filters.status:
        query = query.where(Order.status == filters.status)
    reach = PERIODS.get(filters.period)
    if reach is not None:
        query = query.where(Order.created_at >= now - reach)
    rows = await session.execute(query.order_by(Order.created_at.desc(), Order.id.desc()).limit(limit))
    listed = []
    for order, title, buyer_name, seller_name in rows.all():
        side = rules.side_of(
            org, is_admin=principal.is_admin, buyer_org_id=order.buyer_org_id, seller_org_id=order.seller_org_id
        )
        listed.append(ListedOrder(order_out(order, title, viewer_org_id=org), buyer_name, seller_name, side or "admin"))
    return listed


async def parties_of(session: AsyncSession, order: schemas.Order) -> Parties:
    """The names of an order's buyer and seller (call it with an order the caller may see)."""
    rows = await session.execute(select(Org.id, Org.name).where(Org.id.in_((order.buyer_org_id, order.seller_org_id))))
    names = {org_id: name for org_id, name in rows.all()}
    return Parties(buyer=names.get(order.buyer_org_id, "—"), seller=names.get(order.seller_org_id, "—"))
