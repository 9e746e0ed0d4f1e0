"""Orders as the order pages list them: per role, filtered by status, side and period, with both parties named."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from exchange.accounts.models import Org, User
from exchange.accounts.principal import Principal
from exchange.lots.models import Lot
from exchange.orders import rules, schemas
from exchange.orders.models import Order
from exchange.orders.services import order_out

__all__ = [
    "PERIODS",
    "ROLES",
    "Contact",
    "Goods",
    "ListedOrder",
    "OrderFilters",
    "Parties",
    "list_orders",
    "parties_of",
]

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
class Contact:
    """Who to reach at one side of a sale: the verification (KYB) details and the members' e-mail addresses."""

    legal_name: str | None
    address: str | None
    contact: str | None
    """The contact person and phone, as the organisation gave them for verification."""
    emails: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Goods:
    """What was sold, as the order's terms read it: the whole lot's quantity and where it ships from."""

    quantity: Decimal
    unit: str
    city: str
    region: str
    country: str


@dataclass(frozen=True, slots=True)
class Parties:
    buyer: str
    seller: str
    buyer_contact: Contact | None = None
    seller_contact: Contact | None = None
    goods: Goods | None = None


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
    """Both sides of a sale named with their contact details, and the goods (call it with an order the caller
    may see: once the sale is made, buyer and seller need each other to pay, ship and inspect)."""
    sides = (order.buyer_org_id, order.seller_org_id)
    orgs = {org.id: org for org in (await session.scalars(select(Org).where(Org.id.in_(sides)))).all()}
    emails: dict[int | None, list[str]] = {}
    for org_id, email in await session.execute(
        select(User.org_id, User.email).where(User.org_id.in_(sides)).order_by(User.id)
    ):
        emails.setdefault(org_id, []).append(email)

    def contact(org_id: int) -> Contact | None:
        org = orgs.get(org_id)
        if org is None:
            return None
        return Contact(org.legal_name, org.address, org.contact, tuple(emails.get(org_id, [])[:3]))

    lot = await session.get(Lot, order.lot_id)
    goods = (
        Goods(lot.quantity_value, lot.quantity_unit, lot.location_city, lot.location_region, lot.location_country)
        if lot is not None
        else None
    )
    return Parties(
        buyer=orgs[order.buyer_org_id].name if order.buyer_org_id in orgs else "—",
        seller=orgs[order.seller_org_id].name if order.seller_org_id in orgs else "—",
        buyer_contact=contact(order.buyer_org_id),
        seller_contact=contact(order.seller_org_id),
        goods=goods,
    )
