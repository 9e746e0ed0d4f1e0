from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.lots.models import Lot
from exchange.rfq import schemas, services
from tests.conftest import OrgFactory
from tests.support.lots import live_lot
from tests.support.rfq import count_orders, new_deal, principal_of


def soon(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


async def test_a_full_negotiation_ends_in_an_order_at_the_agreed_terms(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await new_deal(client, db, make_org)
    opened = await deal.open_rfq(
        price="30000.00",
        delivery_by=soon(20),
        delivery_region="Shanghai",
        payment_terms="net45",
        packaging="Remove the brand logo; gift boxes of 10 m",
        message="Can you do 30k?",
    )
    assert opened["status"] == "open"
    assert opened["lot_id"] == deal.lot_id
    assert (opened["buyer_org_id"], opened["seller_org_id"]) == (deal.buyer.org_id, deal.seller.org_id)
    assert [o["price"] for o in opened["offers"]] == ["30000.00"]
    assert opened["waiting_for"] == "seller"
    thread_id = opened["id"]

    quote = await deal.offer(deal.seller, thread_id, "38000.00", delivery_by=soon(25), payment_terms="net30")
    assert (quote["by_side"], quote["version"], quote["status"]) == ("seller", 2, "open")
    counter = await deal.offer(
        deal.buyer, thread_id, "35000.00", delivery_by=soon(25), payment_terms="net30", packaging="Plain cartons"
    )
    assert counter["version"] == 3

    history = await deal.thread(deal.seller, thread_id)
    assert [(o["version"], o["by_side"], o["price"], o["status"]) for o in history["offers"]] == [
        (1, "buyer", "30000.00", "superseded"),
        (2, "seller", "38000.00", "superseded"),
        (3, "buyer", "35000.00", "open"),
    ]
    assert history["waiting_for"] == "seller"

    accepted = await client.post(
        f"/api/rfqs/{thread_id}/accept", json={"offer_id": counter["id"]}, headers=deal.seller.headers
    )
    assert accepted.status_code == 201, accepted.text
    order = accepted.json()
    assert (order["source"], order["amount"], order["currency"]) == ("quote", "35000.00", "CNY")
    assert (order["buyer_org_id"], order["seller_org_id"], order["lot_id"]) == (
        deal.buyer.org_id,
        deal.seller.org_id,
        deal.lot_id,
    )
    assert order["terms"]["delivery_by"] == soon(25)
    assert order["terms"]["payment_terms"] == "net30"
    assert order["terms"]["packaging"] == "Plain cartons"
    assert order["terms"]["delivery_region"] == "Shanghai"
    assert order["terms"]["sample_fee_credited"] == "0.00"

    for party in (deal.buyer, deal.seller):
        seen = await client.get(f"/api/orders/{order['id']}", headers=party.headers)
        assert seen.status_code == 200
        assert seen.json()["amount"] == "35000.00"
    final = await deal.thread(deal.buyer, thread_id)
    assert final["status"] == "accepted"
    assert final["order_id"] == order["id"]
    assert final["offers"][-1]["status"] == "accepted"
    async with db() as session:
        lot = await session.get(Lot, deal.lot_id)
        assert lot is not None
        assert lot.status == "sold"

    buyer_notes = (await client.get("/api/notifications", headers=deal.buyer.headers)).json()["items"]
    seller_notes = (await client.get("/api/notifications", headers=deal.seller.headers)).json()["items"]
    assert {n["kind"] for n in seller_notes} >= {"rfq_opened", "rfq_offer"}
    assert {n["kind"] for n in buyer_notes} >= {"rfq_offer", "rfq_accepted"}
    assert all(n["link"] == f"/rfqs/{thread_id}" for n in buyer_notes)


async def test_every_illegal_move_is_refused_with_a_reason_and_changes_nothing(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await new_deal(client, db, make_org)
    thread_id = (await deal.open_rfq(price="30000.00"))["id"]
    quote = await deal.offer(deal.seller, thread_id, "38000.00")
    before = await deal.thread(deal.buyer, thread_id)

    async def refused(actor_headers: dict[str, str], path: str, body: dict[str, object], code: str) -> None:
        response = await client.post(f"/api/rfqs/{thread_id}/{path}", json=body, headers=actor_headers)
        assert response.status_code == 409, response.text
        problem = response.json()
        assert problem["code"] == code
        assert problem["detail"]
        assert response.headers["content-type"].startswith("application/problem+json")
        assert await deal.thread(deal.buyer, thread_id) == before
        assert await count_orders(db, deal.lot_id) == 0

    await refused(deal.seller.headers, "accept", {"offer_id": quote["id"]}, "own_offer")
    await refused(deal.seller.headers, "offers", {"price": "39000.00"}, "not_your_turn")
    counter = await deal.offer(deal.buyer, thread_id, "34000.00")
    before = await deal.thread(deal.buyer, thread_id)
    await refused(deal.buyer.headers, "accept", {"offer_id": quote["id"]}, "offer_superseded")
    await refused(deal.buyer.headers, "accept", {"offer_id": counter["id"]}, "own_offer")
    await refused(deal.seller.headers, "accept", {"offer_id": counter["id"] + 1000}, "offer_not_in_thread")

    declined = await client.post(
        f"/api/rfqs/{thread_id}/decline", json={"reason": "Too far apart"}, headers=deal.buyer.headers
    )
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"
    assert declined.json()["offers"][-1]["status"] == "declined"
    before = await deal.thread(deal.buyer, thread_id)
    await refused(deal.seller.headers, "offers", {"price": "36000.00"}, "thread_closed")
    await refused(deal.buyer.headers, "accept", {"offer_id": quote["id"]}, "thread_closed")
    await refused(deal.seller.headers, "decline", {}, "thread_closed")


async def test_an_expired_offer_cannot_be_accepted_even_before_the_scheduler_ran(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await new_deal(client, db, make_org)
    thread_id = (await deal.open_rfq(price="30000.00"))["id"]
    seller = await principal_of(db, deal.seller)
    four_days_ago = datetime.now(UTC) - timedelta(days=4)
    async with db() as session, session.begin():
        # Quoted four days ago with the default three-day validity: lapsed yesterday.
        offer = await services.make_offer(
            session, seller, thread_id, schemas.OfferCreate(price="36000.00"), now=four_days_ago
        )
    view = await deal.thread(deal.buyer, thread_id)
    assert view["offers"][-1]["status"] == "expired"
    assert view["waiting_for"] is None

    response = await client.post(
        f"/api/rfqs/{thread_id}/accept", json={"offer_id": offer.id}, headers=deal.buyer.headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "offer_expired"
    assert await count_orders(db, deal.lot_id) == 0
    # Either side may go on with a fresh offer.
    fresh = await deal.offer(deal.buyer, thread_id, "33000.00")
    assert fresh["version"] == 3
    assert (await deal.thread(deal.buyer, thread_id))["offers"][1]["status"] == "expired"


async def test_accepting_on_a_lot_sold_another_way_is_refused(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await new_deal(client, db, make_org)
    thread_id = (await deal.open_rfq())["id"]
    quote = await deal.offer(deal.seller, thread_id, "38000.00")
    other = await make_org("buyer")
    from exchange.orders.services import create_order_for_lot

    async with db() as session, session.begin():
        await create_order_for_lot(
            session, deal.lot_id, buyer_org_id=other.org_id or 0, amount_minor=4_000_000, source="purchase"
        )

    view = await deal.thread(deal.buyer, thread_id)
    assert view["status"] == "closed"
    assert view["waiting_for"] is None
    response = await client.post(
        f"/api/rfqs/{thread_id}/accept", json={"offer_id": quote["id"]}, headers=deal.buyer.headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "lot_unavailable"
    assert await count_orders(db, deal.lot_id) == 1


async def test_a_thread_is_404_to_a_third_org_and_read_only_to_admins(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, admin: object
) -> None:
    deal = await new_deal(client, db, make_org)
    thread_id = (await deal.open_rfq())["id"]
    quote = await deal.offer(deal.seller, thread_id, "38000.00")
    outsider = await make_org("buyer")
    other_seller = await make_org("seller")

    for stranger in (outsider, other_seller):
        assert (await client.get(f"/api/rfqs/{thread_id}", headers=stranger.headers)).status_code == 404
        assert (await client.get(f"/api/rfqs/{thread_id}/messages", headers=stranger.headers)).status_code == 404
        for path, body in (
            ("offers", {"price": "1.00"}),
            ("accept", {"offer_id": quote["id"]}),
            ("decline", {}),
            ("withdraw", {}),
            ("messages", {"body": "hello"}),
            ("samples", {"units": 2}),
        ):
            response = await client.post(f"/api/rfqs/{thread_id}/{path}", json=body, headers=stranger.headers)
            assert response.status_code == 404, (path, response.text)
        listed = (await client.get("/api/rfqs", headers=stranger.headers)).json()["items"]
        assert thread_id not in [t["id"] for t in listed]
    missing = await client.get("/api/rfqs/2000000000", headers=outsider.headers)
    assert (
        missing.json()["detail"].replace("2000000000", str(thread_id))
        == (await client.get(f"/api/rfqs/{thread_id}", headers=outsider.headers)).json()["detail"]
    )

    admin_headers = admin.headers  # type: ignore[attr-defined]
    assert (await client.get(f"/api/rfqs/{thread_id}", headers=admin_headers)).status_code == 200
    acting = await client.post(f"/api/rfqs/{thread_id}/accept", json={"offer_id": quote["id"]}, headers=admin_headers)
    assert acting.status_code == 403
    assert await count_orders(db, deal.lot_id) == 0


async def test_a_private_lot_takes_rfqs_only_from_invited_buyers(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, invited, uninvited = await make_org("seller"), await make_org("buyer"), await make_org("buyer")
    lot_id = await live_lot(
        db,
        seller,
        sale_mode="fixed_price",
        price_minor=900_000,
        visibility="private",
        invited_org_ids=(invited.org_id or 0,),
    )
    hidden = await client.post(f"/api/lots/{lot_id}/rfqs", json={"price": "8000.00"}, headers=uninvited.headers)
    assert hidden.status_code == 404
    assert "9000" not in hidden.text
    shown = await client.post(f"/api/lots/{lot_id}/rfqs", json={"price": "8000.00"}, headers=invited.headers)
    assert shown.status_code == 201


async def test_one_open_thread_per_buyer_per_lot_and_a_new_one_after_a_decline(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await new_deal(client, db, make_org)
    first = await deal.open_rfq()
    again = await client.post(f"/api/lots/{deal.lot_id}/rfqs", json={"price": "31000.00"}, headers=deal.buyer.headers)
    assert again.status_code == 409
    assert again.json()["code"] == "rfq_exists"
    await client.post(f"/api/rfqs/{first['id']}/decline", json={}, headers=deal.seller.headers)
    second = await deal.open_rfq(price="32000.00")
    assert second["id"] != first["id"]
    assert [
        t["id"] for t in (await client.get("/api/rfqs?status=open", headers=deal.buyer.headers)).json()["items"]
    ] == [second["id"]]


async def test_rfqs_respect_the_lot_and_the_caller(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await new_deal(client, db, make_org, rfq_enabled=False)
    off = await client.post(f"/api/lots/{deal.lot_id}/rfqs", json={"price": "1.00"}, headers=deal.buyer.headers)
    assert (off.status_code, off.json()["code"]) == (409, "rfq_disabled")

    live = await new_deal(client, db, make_org)
    unverified = await make_org("buyer", verified=False)
    as_seller = await client.post(f"/api/lots/{live.lot_id}/rfqs", json={"price": "1.00"}, headers=live.seller.headers)
    assert as_seller.status_code == 403
    not_verified = await client.post(
        f"/api/lots/{live.lot_id}/rfqs", json={"price": "1.00"}, headers=unverified.headers
    )
    assert (not_verified.status_code, not_verified.json()["code"]) == (403, "org_not_verified")
    anonymous = await client.post(f"/api/lots/{live.lot_id}/rfqs", json={"price": "1.00"})
    assert anonymous.status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"price": "abc"}, "price"),
        ({"price": "-5"}, "price"),
        ({"price": "0"}, "price"),
        ({"price": "12.345"}, "price"),
        ({"price": "1e400"}, "price"),
        ({"price": "100.00", "currency": "USD"}, "currency"),
        ({"price": "100.00", "delivery_by": "2001-01-01"}, "delivery_by"),
        ({"price": "100.00", "valid_until": "2001-01-01T00:00:00+00:00"}, "valid_until"),
        ({"price": "100.00", "valid_until": "2030-01-01T00:00:00"}, "valid_until"),
    ],
)
async def test_bad_terms_are_422_naming_the_field_and_open_nothing(
    client: AsyncTestClient[Litestar],
    db: async_sessionmaker[AsyncSession],
    make_org: OrgFactory,
    body: dict[str, str],
    field: str,
) -> None:
    deal = await new_deal(client, db, make_org)
    response = await client.post(f"/api/lots/{deal.lot_id}/rfqs", json=body, headers=deal.buyer.headers)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert (await client.get("/api/rfqs", headers=deal.buyer.headers)).json()["items"] == []


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"price": "100.00", "payment_terms": "net90"},
        {"price": "100.00", "surprise": True},
        {"price": ["100"]},
        {"price": "100.00", "sample_units": 0},
        {"price": "100.00", "message": "x" * 5000},
    ],
)
async def test_malformed_rfq_bodies_are_4xx_not_500(
    client: AsyncTestClient[Litestar],
    db: async_sessionmaker[AsyncSession],
    make_org: OrgFactory,
    body: dict[str, object],
) -> None:
    deal = await new_deal(client, db, make_org)
    response = await client.post(f"/api/lots/{deal.lot_id}/rfqs", json=body, headers=deal.buyer.headers)
    assert 400 <= response.status_code < 500, response.text
    assert (await client.get("/api/rfqs", headers=deal.buyer.headers)).json()["items"] == []


@pytest.mark.parametrize("bad_id", ["abc", "-1", "0", "99999999999999999999"])
async def test_bad_thread_ids_are_4xx_not_500(
    client: AsyncTestClient[Litestar], make_org: OrgFactory, bad_id: str
) -> None:
    buyer = await make_org("buyer")
    assert 400 <= (await client.get(f"/api/rfqs/{bad_id}", headers=buyer.headers)).status_code < 500
    accept = await client.post(f"/api/rfqs/{bad_id}/accept", json={"offer_id": 1}, headers=buyer.headers)
    assert 400 <= accept.status_code < 500


async def test_the_maker_withdraws_an_offer_and_the_thread_stays_open(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await new_deal(client, db, make_org)
    thread_id = (await deal.open_rfq())["id"]
    quote = await deal.offer(deal.seller, thread_id, "38000.00")
    not_theirs = await client.post(f"/api/rfqs/{thread_id}/withdraw", headers=deal.buyer.headers)
    assert (not_theirs.status_code, not_theirs.json()["code"]) == (409, "nothing_to_withdraw")
    withdrawn = await client.post(f"/api/rfqs/{thread_id}/withdraw", headers=deal.seller.headers)
    assert withdrawn.status_code == 200
    assert (withdrawn.json()["id"], withdrawn.json()["status"]) == (quote["id"], "withdrawn")
    late = await client.post(
        f"/api/rfqs/{thread_id}/accept", json={"offer_id": quote["id"]}, headers=deal.buyer.headers
    )
    assert (late.status_code, late.json()["code"]) == (409, "offer_not_open")
    view = await deal.thread(deal.buyer, thread_id)
    assert view["status"] == "open"
    assert view["waiting_for"] is None
    assert (await deal.offer(deal.seller, thread_id, "37000.00"))["version"] == 3
