from __future__ import annotations

from collections import Counter

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.lots.models import Lot
from exchange.orders.models import Order
from exchange.settings import Settings
from tests.conftest import OrgFactory
from tests.support.buyers import many_buyers
from tests.support.lots import live_lot
from tests.support.parallel import Call, fire_together_until_answered


async def test_two_hundred_buyers_racing_for_one_fixed_price_lot_make_exactly_one_order(
    client: AsyncTestClient[Litestar],
    db: async_sessionmaker[AsyncSession],
    settings: Settings,
    make_org: OrgFactory,
) -> None:
    seller = await make_org("seller")
    buyers = await many_buyers(db, settings, 200)
    lot_id = await live_lot(db, seller, sale_mode="fixed_price", price_minor=4_000_000)

    answers = fire_together_until_answered(
        client, [Call("POST", f"/api/lots/{lot_id}/purchase", b.headers) for b in buyers]
    )

    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {201: 1, 409: 199}, statuses
    winner = next(answer for answer in answers if answer.status_code == 201).json()
    assert winner["source"] == "purchase"
    assert winner["amount"] == "40000.00"
    assert all(a.json()["code"] == "already_sold" for a in answers if a.status_code == 409)
    async with db() as session:
        orders = await session.scalar(select(func.count()).select_from(Order).where(Order.lot_id == lot_id))
        status = await session.scalar(select(Lot.status).where(Lot.id == lot_id))
    assert orders == 1
    assert status == "sold"


async def test_a_repeated_purchase_with_the_same_key_returns_the_same_order(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer, other = await make_org("seller"), await make_org("buyer"), await make_org("buyer")
    lot_id = await live_lot(db, seller, sale_mode="fixed_price", price_minor=990_00)
    headers = {**buyer.headers, "Idempotency-Key": "buy-once-4411"}

    first = await client.post(f"/api/lots/{lot_id}/purchase", headers=headers)
    again = await client.post(f"/api/lots/{lot_id}/purchase", headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]

    late = await client.post(f"/api/lots/{lot_id}/purchase", headers=other.headers)
    assert late.status_code == 409
    assert "already been sold" in late.json()["detail"]


async def test_an_idempotency_key_that_bought_one_lot_cannot_buy_another(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    first_lot = await live_lot(db, seller, sale_mode="fixed_price", price_minor=500_00)
    second_lot = await live_lot(db, seller, sale_mode="fixed_price", price_minor=600_00)
    headers = {**buyer.headers, "Idempotency-Key": "one-purchase-7781"}
    assert (await client.post(f"/api/lots/{first_lot}/purchase", headers=headers)).status_code == 201

    reused = await client.post(f"/api/lots/{second_lot}/purchase", headers=headers)
    assert reused.status_code == 422
    assert (reused.json()["field"], reused.json()["code"]) == ("Idempotency-Key", "idempotency_key_reused")
    with_new_key = await client.post(
        f"/api/lots/{second_lot}/purchase", headers={**buyer.headers, "Idempotency-Key": "x2"}
    )
    assert with_new_key.status_code == 201  # the refusal changed nothing: the lot was still for sale
    assert with_new_key.json()["lot_id"] == second_lot

    for bad in ("", "has space", b"caf\xe9", "k" * 201):
        refused = await client.post(
            f"/api/lots/{second_lot}/purchase", headers={**buyer.headers, "Idempotency-Key": bad}
        )
        assert (refused.status_code, refused.json()["field"]) == (422, "Idempotency-Key"), bad


async def test_sealed_bid_lots_cannot_be_bought_and_fixed_price_lots_cannot_be_bid_on(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    sealed = await live_lot(db, seller)
    fixed = await live_lot(db, seller, sale_mode="fixed_price", price_minor=100_00)

    buy_sealed = await client.post(f"/api/lots/{sealed}/purchase", headers=buyer.headers)
    assert buy_sealed.status_code == 409
    assert buy_sealed.json()["code"] == "not_fixed_price"
    bid_fixed = await client.post(f"/api/lots/{fixed}/bids", json={"amount": "100"}, headers=buyer.headers)
    assert bid_fixed.status_code == 409
    assert bid_fixed.json()["code"] == "not_sealed_bid"
    assert (await client.post(f"/api/lots/{fixed}/purchase", headers=seller.headers)).status_code == 403
