from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import Actor, OrgFactory
from tests.support.lots import live_lot
from tests.support.rfq import WANTED, count_orders, in_days, post_wanted


async def answer(
    client: AsyncTestClient[Litestar], seller: Actor, request_id: int, lot_id: int, price: str, **terms: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/api/wanted/{request_id}/answers", json={"lot_id": lot_id, "price": price, **terms}, headers=seller.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_sellers_answer_a_wanted_request_and_the_buyer_compares_and_accepts_one(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    buyer = await make_org("buyer")
    seller_a, seller_b = await make_org("seller"), await make_org("seller")
    wanted = await post_wanted(client, buyer)
    assert (wanted["status"], wanted["quantity"], wanted["budget"]) == (
        "open",
        {"value": "4000", "unit": "m"},
        "36000.00",
    )

    board = (await client.get("/api/wanted", headers=seller_a.headers)).json()["items"]
    assert wanted["id"] in [w["id"] for w in board]
    # Seller A: 5000 yd (4572 m) of 150 cm twill; seller B: 4000 m of 1.3 m wide fabric.
    lot_a = await live_lot(
        db,
        seller_a,
        sale_mode="fixed_price",
        price_minor=4_500_000,
        quantity_value=Decimal("5000"),
        quantity_unit="yd",
        specs={"fibre": "cotton", "width": "150 cm"},
        grade="B",
        defects="Shade variation between rolls",
    )
    lot_b = await live_lot(
        db,
        seller_b,
        sale_mode="fixed_price",
        price_minor=3_500_000,
        quantity_value=Decimal("4000"),
        quantity_unit="m",
        specs={"fibre": "cotton", "width": "1.3 m"},
    )
    thread_a = await answer(
        client, seller_a, wanted["id"], lot_a, "34290.00", delivery_by=in_days(20), payment_terms="net30"
    )
    thread_b = await answer(
        client, seller_b, wanted["id"], lot_b, "30000.00", delivery_by=in_days(40), payment_terms="prepay"
    )
    assert thread_a["wanted_request_id"] == wanted["id"]
    assert (thread_a["offers"][0]["by_side"], thread_a["waiting_for"]) == ("seller", "buyer")
    notes = (await client.get("/api/notifications", headers=buyer.headers)).json()["items"]
    assert sum(n["kind"] == "rfq_offer" for n in notes) == 2

    comparison = await client.get(f"/api/wanted/{wanted['id']}/comparison", headers=buyer.headers)
    assert comparison.status_code == 200
    rows = {r["lot_id"]: r for r in comparison.json()["rows"]}
    assert rows[lot_a]["quantity_in_request_unit"] == "4572.00"
    assert rows[lot_a]["unit_price"] == "7.50"  # 34290.00 / 4572 m
    assert rows[lot_b]["unit_price"] == "7.50"  # 30000.00 / 4000 m
    assert rows[lot_a]["unit"] == "m"
    assert (rows[lot_a]["grade"], rows[lot_a]["payment_terms"]) == ("B", "net30")
    assert rows[lot_a]["within_budget"] is True
    assert rows[lot_a]["delivers_by_deadline"] is True
    assert rows[lot_b]["delivers_by_deadline"] is False
    assert {s["key"]: s["meets"] for s in rows[lot_a]["specs"]} == {"fibre": True, "width": True}
    assert {s["key"]: s["meets"] for s in rows[lot_b]["specs"]} == {"fibre": True, "width": False}
    assert rows[lot_a]["can_accept"] is True

    as_seller = await client.get(f"/api/wanted/{wanted['id']}/comparison", headers=seller_a.headers)
    assert as_seller.status_code == 403

    offer_a = thread_a["offers"][0]["id"]
    order = await client.post(f"/api/rfqs/{thread_a['id']}/accept", json={"offer_id": offer_a}, headers=buyer.headers)
    assert order.status_code == 201, order.text
    assert order.json()["amount"] == "34290.00"
    assert await count_orders(db, lot_b) == 0

    declined = (await client.get(f"/api/rfqs/{thread_b['id']}", headers=seller_b.headers)).json()
    assert declined["status"] == "declined"
    seller_b_notes = (await client.get("/api/notifications", headers=seller_b.headers)).json()["items"]
    assert any(n["kind"] == "rfq_declined" and n["link"] == f"/rfqs/{thread_b['id']}" for n in seller_b_notes)
    after = (await client.get(f"/api/wanted/{wanted['id']}", headers=buyer.headers)).json()
    assert after["status"] == "fulfilled"
    assert wanted["id"] not in [
        w["id"] for w in (await client.get("/api/wanted", headers=seller_b.headers)).json()["items"]
    ]
    late = await client.post(
        f"/api/wanted/{wanted['id']}/answers", json={"lot_id": lot_b, "price": "1.00"}, headers=seller_b.headers
    )
    assert late.status_code == 404


async def test_a_seller_answers_only_with_their_own_live_lot(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    buyer, seller, other_seller = await make_org("buyer"), await make_org("seller"), await make_org("seller")
    wanted = await post_wanted(client, buyer)
    foreign_lot = await live_lot(db, other_seller, sale_mode="fixed_price", price_minor=100_000)
    mine_private = await live_lot(db, seller, sale_mode="fixed_price", price_minor=100_000, visibility="private")
    mine_sold = await live_lot(db, seller, sale_mode="fixed_price", price_minor=100)
    assert (await client.post(f"/api/lots/{mine_sold}/purchase", headers=buyer.headers)).status_code == 201
    url = f"/api/wanted/{wanted['id']}/answers"
    foreign = await client.post(url, json={"lot_id": foreign_lot, "price": "900.00"}, headers=seller.headers)
    assert (foreign.status_code, foreign.json()["field"]) == (422, "lot_id")
    private = await client.post(url, json={"lot_id": mine_private, "price": "900.00"}, headers=seller.headers)
    assert (private.status_code, private.json()["code"]) == (409, "buyer_not_invited")
    sold = await client.post(url, json={"lot_id": mine_sold, "price": "900.00"}, headers=seller.headers)
    assert (sold.status_code, sold.json()["code"]) == (409, "lot_unavailable")
    as_buyer = await client.post(url, json={"lot_id": foreign_lot, "price": "900.00"}, headers=buyer.headers)
    assert as_buyer.status_code == 403
    comparison = (await client.get(f"/api/wanted/{wanted['id']}/comparison", headers=buyer.headers)).json()
    assert comparison["rows"] == []


async def test_a_buyer_withdraws_a_request_and_its_answers_are_declined(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    buyer, seller, other_buyer = await make_org("buyer"), await make_org("seller"), await make_org("buyer")
    wanted = await post_wanted(client, buyer)
    lot = await live_lot(db, seller, sale_mode="fixed_price", price_minor=100_000)
    thread = await answer(client, seller, wanted["id"], lot, "900.00")
    not_theirs = await client.post(f"/api/wanted/{wanted['id']}/cancel", headers=other_buyer.headers)
    assert not_theirs.status_code == 404
    cancelled = await client.post(f"/api/wanted/{wanted['id']}/cancel", headers=buyer.headers)
    assert cancelled.json()["status"] == "cancelled"
    assert (await client.get(f"/api/rfqs/{thread['id']}", headers=seller.headers)).json()["status"] == "declined"
    assert (await client.get(f"/api/wanted/{wanted['id']}", headers=seller.headers)).status_code == 404
    assert (await client.get(f"/api/wanted/{wanted['id']}", headers=other_buyer.headers)).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": ""}, "category"),
        ({"category": "Textiles & Fabric!"}, "category"),
        ({"category": "widgets/gizmos"}, "category"),
        ({"specs": [{"key": "voltage", "op": "eq", "value": "5"}]}, "specs[0].key"),
        ({"specs": [{"key": "width", "op": "gte", "value": 1, "unit": "kg"}]}, "specs[0].unit"),
        ({"specs": [{"key": "fibre", "op": "gte", "value": "cotton"}]}, "specs[0].op"),
        ({"specs": [{"key": "fibre", "op": "eq", "value": "kevlar"}]}, "specs[0].value"),
        ({"quantity": {"value": "-3", "unit": "m"}}, "quantity.value"),
        ({"quantity": {"value": "lots", "unit": "m"}}, "quantity.value"),
        ({"quantity": {"value": "10", "unit": "parsecs-ish"}}, "quantity.unit"),
        ({"specs": [{"key": "width", "op": "gte", "value": "wide"}]}, "specs[0].value"),
        ({"specs": [{"key": "width", "op": "gte", "value": 1, "unit": "zorks"}]}, "specs[0].unit"),
        ({"budget": "ten"}, "budget"),
        ({"deadline": "2001-01-01"}, "deadline"),
    ],
)
async def test_bad_wanted_requests_are_422_naming_the_field(
    client: AsyncTestClient[Litestar], make_org: OrgFactory, changes: dict[str, Any], field: str
) -> None:
    buyer = await make_org("buyer")
    response = await client.post("/api/wanted", json={**WANTED, **changes}, headers=buyer.headers)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert (await client.get("/api/wanted", headers=buyer.headers)).json()["items"] == []


async def test_only_verified_buyers_post_wanted_requests(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller, unverified = await make_org("seller"), await make_org("buyer", verified=False)
    assert (await client.post("/api/wanted", json=WANTED, headers=seller.headers)).status_code == 403
    assert (await client.post("/api/wanted", json=WANTED, headers=unverified.headers)).status_code == 403
    assert (await client.post("/api/wanted", json={**WANTED, "extra": 1}, headers=seller.headers)).status_code in (
        400,
        403,
    )
