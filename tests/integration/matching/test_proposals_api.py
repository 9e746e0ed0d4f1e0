"""Proposals: the broker's view and the client's, sending, declining, accepting all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import OrgFactory
from tests.support.desk import new_desk
from tests.support.rfq import count_orders

BROKER_ONLY = ("cost", "margin", "commission")


async def test_the_broker_sees_cost_margin_and_commission_the_client_never(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    desk = await new_desk(client, db, make_org)
    lot = await desk.lot()
    request = await desk.request()
    draft = await desk.proposal(request["id"], [(lot, "45000.00")], send=False)
    assert (draft["cost"], draft["margin"], draft["commission"]) == ("40000.00", "5000.00", "5800.00")
    assert draft["lines"][0]["margin"] == "5000.00"
    # A draft does not exist for the client.
    assert (await client.get(f"/api/proposals/{draft['id']}", headers=desk.buyer.headers)).status_code == 404
    sent = await client.post(f"/api/proposals/{draft['id']}/send", headers=desk.broker.headers)
    assert sent.status_code == 200
    assert sent.json()["status"] == "sent"
    again = await client.post(f"/api/proposals/{draft['id']}/send", headers=desk.broker.headers)
    assert again.status_code == 409
    assert "sent" in again.json()["detail"]
    seen = (await client.get(f"/api/proposals/{draft['id']}", headers=desk.buyer.headers)).json()
    assert seen["total"] == "45000.00"
    assert seen["allowed_actions"] == ["accept", "decline"]
    assert not any(key in seen or key in seen["lines"][0] for key in (*BROKER_ONLY, "broker_org_id"))
    assert "'40000.00'" not in str(seen)
    assert "'5000.00'" not in str(seen)
    listed = (await client.get("/api/proposals", headers=desk.buyer.headers)).json()["items"]
    assert [p["id"] for p in listed] == [draft["id"]]
    assert "margin" not in listed[0]
    # Only the client accepts; only the broker sends.
    assert (await client.post(f"/api/proposals/{draft['id']}/accept", headers=desk.broker.headers)).status_code == 403
    stranger = await make_org("buyer")
    assert (await client.get(f"/api/proposals/{draft['id']}", headers=stranger.headers)).status_code == 404


async def test_accepting_buys_every_fixed_price_lot_once_and_the_order_hides_the_margin_from_the_client(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    desk = await new_desk(client, db, make_org)
    first, second = await desk.lot(), await desk.lot(metres=2000, price_minor=1_500_000)
    request = await desk.request()
    proposal = await desk.proposal(request["id"], [(first, "45000.00"), (second, "16000.00")])
    headers = {**desk.buyer.headers, "Idempotency-Key": "accept-" + str(proposal["id"])}
    answer = await client.post(f"/api/proposals/{proposal['id']}/accept", headers=headers)
    assert answer.status_code == 201, answer.text
    repeat = await client.post(f"/api/proposals/{proposal['id']}/accept", headers=headers)
    assert repeat.status_code == 201
    assert repeat.json() == answer.json()
    orders = answer.json()["orders"]
    assert sorted((o["lot_id"], o["amount"]) for o in orders) == sorted([(first, "45000.00"), (second, "16000.00")])
    assert await count_orders(db, first) == 1
    assert await count_orders(db, second) == 1
    mine = (await client.get(f"/api/orders/{orders[0]['id']}", headers=desk.buyer.headers)).json()
    assert mine["source"] == "proposal"
    assert mine["terms"]["proposal_id"] == proposal["id"]
    assert not {"margin_minor", "commission_minor", "commission_percent", "cost_minor"} & set(mine["terms"])
    sellers = (await client.get(f"/api/orders/{orders[0]['id']}", headers=desk.seller.headers)).json()
    assert "commission_minor" in sellers["terms"]
    broker = (await client.get(f"/api/proposals/{proposal['id']}", headers=desk.broker.headers)).json()
    assert broker["status"] == "accepted"
    assert broker["commission"] == "7100.00"
    assert all(line["outcome"].startswith("order #") for line in broker["lines"])
    assert (
        await client.post(f"/api/proposals/{proposal['id']}/decline", headers=desk.buyer.headers)
    ).status_code == 409


async def test_a_lot_sold_meanwhile_means_nothing_is_bought_and_the_lot_is_named(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    desk = await new_desk(client, db, make_org)
    kept, sold = await desk.lot(), await desk.lot(metres=2000, price_minor=1_500_000)
    request = await desk.request()
    proposal = await desk.proposal(request["id"], [(kept, "45000.00"), (sold, "16000.00")])
    other = await make_org("buyer")
    assert (await client.post(f"/api/lots/{sold}/purchase", headers=other.headers)).status_code == 201
    answer = await client.post(f"/api/proposals/{proposal['id']}/accept", headers=desk.buyer.headers)
    assert answer.status_code == 409, answer.text
    assert answer.json()["unavailable_lot_ids"] == [sold]
    assert await count_orders(db, kept) == 0
    assert "16000" not in answer.text
    assert "margin" not in answer.text
    still = (await client.get(f"/api/proposals/{proposal['id']}", headers=desk.buyer.headers)).json()
    assert still["status"] == "sent"


async def test_decline_with_a_reason_and_an_expired_proposal_is_refused(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    desk = await new_desk(client, db, make_org)
    lot = await desk.lot()
    request = await desk.request()
    proposal = await desk.proposal(request["id"], [(lot, "45000.00")])
    declined = await client.post(
        f"/api/proposals/{proposal['id']}/decline", json={"reason": "Too dear"}, headers=desk.buyer.headers
    )
    assert declined.status_code == 200
    assert declined.json()["decline_reason"] == "Too dear"
    assert declined.json()["allowed_actions"] == []
    past = await client.post(
        "/api/proposals",
        json={
            "request_id": request["id"],
            "lines": [{"lot_id": lot, "client_price": "45000.00"}],
            "valid_until": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        },
        headers=desk.broker.headers,
    )
    assert past.status_code == 422
    assert past.json()["field"] == "valid_until"
    naive = await client.post(
        "/api/proposals",
        json={
            "request_id": request["id"],
            "lines": [{"lot_id": lot, "client_price": "45000.00"}],
            "valid_until": "2099-01-01T00:00:00",
        },
        headers=desk.broker.headers,
    )
    assert naive.status_code == 422, naive.text
    below = await client.post(
        "/api/proposals",
        json={
            "request_id": request["id"],
            "lines": [{"lot_id": lot, "client_price": "30000.00"}],
            "valid_until": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
        },
        headers=desk.broker.headers,
    )
    assert below.status_code == 422
    assert below.json()["field"] == "lines[0].client_price"


async def test_sealed_bid_lines_are_bids_only_with_consent_and_price_on_request_lines_open_a_quote(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    desk = await new_desk(client, db, make_org)
    sealed = await desk.lot(sale_mode="sealed_bid", min_bid_minor=3_000_000, reserve_price_minor=3_500_000)
    on_request = await desk.lot(sale_mode="sealed_bid", reserve_price_minor=3_500_000)
    fixed = await desk.lot()
    request = await desk.request()
    without = await desk.proposal(request["id"], [(sealed, "38000.00"), (on_request, "36000.00"), (fixed, "45000.00")])
    kinds = {line["lot_id"]: line["kind"] for line in without["lines"]}
    assert kinds == {sealed: "bid", on_request: "rfq", fixed: "buy"}
    answer = await client.post(f"/api/proposals/{without['id']}/accept", json={}, headers=desk.buyer.headers)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["bids"] == []
    assert len(body["orders"]) == 1
    assert len(body["rfq_threads"]) == 1
    outcomes = {line["lot_id"]: line["outcome"] for line in body["proposal"]["lines"]}
    assert outcomes[sealed] == "left out: no consent to bid"
    thread = await client.get(f"/api/rfqs/{body['rfq_threads'][0]}", headers=desk.buyer.headers)
    assert thread.status_code == 200

    consented = await desk.proposal(request["id"], [(sealed, "38000.00")])
    answer = await client.post(
        f"/api/proposals/{consented['id']}/accept", json={"bid_consent": True}, headers=desk.buyer.headers
    )
    assert answer.status_code == 201, answer.text
    receipts = answer.json()["bids"]
    assert [(r["lot_id"], r["amount"]) for r in receipts] == [(sealed, "38000.00")]
    assert receipts[0]["receipt"]
    mine = await client.get(f"/api/lots/{sealed}/bids/mine", headers=desk.buyer.headers)
    assert mine.status_code == 200
    assert mine.json()["amount"] == "38000.00"
