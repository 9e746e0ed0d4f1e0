"""Test helpers for negotiations: a seller with a live lot and a buyer, and the common API steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.accounts.principal import Principal
from exchange.accounts.services import load_principal
from exchange.orders.models import Order
from tests.conftest import Actor, OrgFactory
from tests.support.lots import live_lot

__all__ = ["WANTED", "Deal", "count_orders", "in_days", "new_deal", "post_wanted", "principal_of"]


@dataclass
class Deal:
    client: AsyncTestClient[Litestar]
    seller: Actor
    buyer: Actor
    lot_id: int

    async def open_rfq(self, buyer: Actor | None = None, **body: Any) -> dict[str, Any]:
        response = await self.client.post(
            f"/api/lots/{self.lot_id}/rfqs", json={"price": "30000.00", **body}, headers=(buyer or self.buyer).headers
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def offer(self, actor: Actor, thread_id: int, price: str, **body: Any) -> dict[str, Any]:
        response = await self.client.post(
            f"/api/rfqs/{thread_id}/offers", json={"price": price, **body}, headers=actor.headers
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def thread(self, actor: Actor, thread_id: int) -> dict[str, Any]:
        response = await self.client.get(f"/api/rfqs/{thread_id}", headers=actor.headers)
        assert response.status_code == 200, response.text
        return dict(response.json())


async def new_deal(
    client: AsyncTestClient[Litestar],
    db: async_sessionmaker[AsyncSession],
    make_org: OrgFactory,
    **lot_fields: Any,
) -> Deal:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    fields: dict[str, Any] = {"sale_mode": "fixed_price", "price_minor": 4_000_000, **lot_fields}
    lot_id = await live_lot(db, seller, **fields)
    return Deal(client=client, seller=seller, buyer=buyer, lot_id=lot_id)


async def count_orders(db: async_sessionmaker[AsyncSession], lot_id: int) -> int:
    async with db() as session:
        return int(await session.scalar(select(func.count()).select_from(Order).where(Order.lot_id == lot_id)) or 0)


async def principal_of(db: async_sessionmaker[AsyncSession], actor: Actor) -> Principal:
    async with db() as session:
        principal = await load_principal(session, actor.user_id)
    assert principal is not None
    return principal


def in_days(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


WANTED = {
    "title": "Cotton twill for workwear, at least 140 cm wide",
    "category": "textiles/fabric",
    "specs": [
        {"key": "fibre", "op": "eq", "value": "cotton"},
        {"key": "width", "op": "gte", "value": 140, "unit": "cm"},
    ],
    "quantity": {"value": "4000", "unit": "m"},
    "budget": "36000.00",
    "deadline": in_days(30),
    "delivery_region": "Zhejiang",
}
"""A wanted request as the API takes it (a buyer's need for cotton twill)."""


async def post_wanted(client: AsyncTestClient[Litestar], buyer: Actor, **changes: Any) -> dict[str, Any]:
    """A wanted request of `buyer`'s, posted through the API; its JSON."""
    response = await client.post("/api/wanted", json={**WANTED, **changes}, headers=buyer.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())
