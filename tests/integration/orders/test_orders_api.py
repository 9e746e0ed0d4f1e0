from __future__ import annotations

import asyncio

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.errors import Conflict
from exchange.orders.models import Order
from exchange.orders.services import create_order_for_lot
from tests.conftest import OrgFactory
from tests.support.lots import live_lot


async def _sell(db: async_sessionmaker[AsyncSession], lot_id: int, buyer_org_id: int, source: str) -> int:
    async with db() as session, session.begin():
        order = await create_order_for_lot(
            session, lot_id, buyer_org_id=buyer_org_id, amount_minor=4_000_000, source=source
        )
        return order.id


async def test_an_order_is_visible_to_its_buyer_and_seller_and_404_to_anyone_else(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer, other = await make_org("seller"), await make_org("buyer"), await make_org("buyer")
    lot_id = await live_lot(db, seller, sale_mode="fixed_price", price_minor=4_000_000)
    order_id = await _sell(db, lot_id, buyer.org_id or 0, "purchase")

    for party in (buyer, seller):
        one = await client.get(f"/api/orders/{order_id}", headers=party.headers)
        assert one.status_code == 200
        assert one.json()["amount"] == "40000.00"
        assert one.json()["source"] == "purchase"
        listed = await client.get("/api/orders", headers=party.headers)
        assert order_id in [o["id"] for o in listed.json()["items"]]

    hidden = await client.get(f"/api/orders/{order_id}", headers=other.headers)
    assert hidden.status_code == 404
    assert order_id not in [o["id"] for o in (await client.get("/api/orders", headers=other.headers)).json()["items"]]


async def test_a_lot_is_sold_once_whichever_paths_race_for_it(
    db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer_a, buyer_b = await make_org("seller"), await make_org("buyer"), await make_org("buyer")
    lot_id = await live_lot(db, seller, sale_mode="fixed_price", price_minor=4_000_000)

    results = await asyncio.gather(
        _sell(db, lot_id, buyer_a.org_id or 0, "purchase"),
        _sell(db, lot_id, buyer_b.org_id or 0, "quote"),
        return_exceptions=True,
    )
    assert sum(isinstance(r, int) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 1
    async with db() as session:
        assert await session.scalar(select(func.count()).select_from(Order).where(Order.lot_id == lot_id)) == 1


async def test_orders_need_a_signed_in_caller(client: AsyncTestClient[Litestar]) -> None:
    assert (await client.get("/api/orders")).status_code == 401


@pytest.mark.parametrize("bad_id", ["abc", "-1", "99999999999999999999"])
async def test_bad_order_ids_are_4xx_not_500(
    client: AsyncTestClient[Litestar], make_org: OrgFactory, bad_id: str
) -> None:
    buyer = await make_org("buyer")
    response = await client.get(f"/api/orders/{bad_id}", headers=buyer.headers)
    assert 400 <= response.status_code < 500
