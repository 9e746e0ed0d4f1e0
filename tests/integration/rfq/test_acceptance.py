from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.accounts.principal import Principal
from exchange.errors import Conflict
from exchange.lots.events import LotSoldElsewhere
from exchange.lots.models import Lot
from exchange.notifications.models import Notification
from exchange.orders.services import create_order_for_lot
from exchange.rfq import services
from exchange.rfq.models import RfqOffer
from tests.conftest import OrgFactory
from tests.support.orders import assert_ledger_balances, balances
from tests.support.rfq import count_orders, new_deal, principal_of


async def _purchase(db: async_sessionmaker[AsyncSession], lot_id: int, buyer_org_id: int, delay: float = 0) -> int:
    await asyncio.sleep(delay)
    async with db() as session, session.begin():
        order = await create_order_for_lot(
            session, lot_id, buyer_org_id=buyer_org_id, amount_minor=4_000_000, source="purchase"
        )
        return order.id


async def _accept(
    db: async_sessionmaker[AsyncSession], principal: Principal, thread_id: int, offer_id: int, key: str | None = None
) -> int:
    # The test client runs requests one after another, so races go through the service on separate
    # sessions (real connections, really concurrent), exactly as two request handlers would.
    async with db() as session:
        order = await services.accept_offer_once(session, principal, thread_id, offer_id, idempotency_key=key)
        return order.id


async def test_an_acceptance_racing_a_purchase_on_one_lot_yields_exactly_one_order(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    purchaser = await make_org("buyer")
    outcomes = []
    # Staggering the purchase by a few milliseconds lets either side win some rounds.
    for accept_first, delay in ((True, 0.0), (False, 0.0), (True, 0.005), (True, 0.015), (True, 0.03), (True, 0.06)):
        deal = await new_deal(client, db, make_org)
        thread_id = (await deal.open_rfq())["id"]
        quote = await deal.offer(deal.seller, thread_id, "38000.00")
        accept = _accept(db, await principal_of(db, deal.buyer), thread_id, quote["id"])
        purchase = _purchase(db, deal.lot_id, purchaser.org_id or 0, delay)
        racers = (accept, purchase) if accept_first else (purchase, accept)
        results = await asyncio.gather(*racers, return_exceptions=True)
        accepted, purchased = results if accept_first else results[::-1]
        winners = [r for r in (accepted, purchased) if isinstance(r, int)]
        losers = [r for r in (accepted, purchased) if isinstance(r, Conflict)]
        assert len(winners) == 1, results
        assert len(losers) == 1, results
        assert losers[0].code == "lot_unavailable"
        assert await count_orders(db, deal.lot_id) == 1
        thread = await deal.thread(deal.buyer, thread_id)
        if isinstance(accepted, int):
            assert thread["status"] == "accepted"
            assert thread["order_id"] == accepted
        else:
            assert thread["status"] == "closed"
            assert thread["offers"][-1]["status"] == "closed"
        outcomes.append("accept" if isinstance(accepted, int) else "purchase")
    print("race winners:", outcomes)


async def test_two_buyers_accepting_at_once_yield_one_order_and_close_the_other_thread(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await new_deal(client, db, make_org)
    rival = await make_org("buyer")
    mine = (await deal.open_rfq())["id"]
    theirs = (await deal.open_rfq(buyer=rival, price="31000.00"))["id"]
    quote_mine = await deal.offer(deal.seller, mine, "37000.00")
    quote_theirs = await deal.offer(deal.seller, theirs, "37500.00")

    first, second = await asyncio.gather(
        _accept(db, await principal_of(db, deal.buyer), mine, quote_mine["id"]),
        _accept(db, await principal_of(db, rival), theirs, quote_theirs["id"]),
        return_exceptions=True,
    )
    assert sum(isinstance(r, int) for r in (first, second)) == 1, (first, second)
    assert sum(isinstance(r, Conflict) for r in (first, second)) == 1, (first, second)
    assert await count_orders(db, deal.lot_id) == 1
    winner, loser, loser_actor = (mine, theirs, rival) if isinstance(first, int) else (theirs, mine, deal.buyer)
    assert (await deal.thread(deal.seller, winner))["status"] == "accepted"
    closed = await deal.thread(loser_actor, loser)
    assert closed["status"] == "closed"
    assert closed["offers"][-1]["status"] == "closed"
    notes = (await client.get("/api/notifications", headers=loser_actor.headers)).json()["items"]
    assert any(n["kind"] == "rfq_closed" and n["link"] == f"/rfqs/{loser}" for n in notes)


async def test_an_accepted_quote_ends_a_sealed_bid_lot_as_sold_and_tells_the_bid_engine(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await new_deal(client, db, make_org, sale_mode="sealed_bid", price_minor=None, reserve_price_minor=3_000_000)
    thread_id = (await deal.open_rfq(price="45000.00"))["id"]
    quote = await deal.offer(deal.seller, thread_id, "46000.00")
    sold_elsewhere: list[int] = []

    async def record(event: LotSoldElsewhere) -> None:
        sold_elsewhere.append(event.lot_id)

    with client.app.state.runtime.events.listening(LotSoldElsewhere, record):
        accepted = await client.post(
            f"/api/rfqs/{thread_id}/accept", json={"offer_id": quote["id"]}, headers=deal.buyer.headers
        )
    assert accepted.status_code == 201
    async with db() as session:
        lot = await session.get(Lot, deal.lot_id)
        assert lot is not None
        assert lot.status == "sold"
    assert sold_elsewhere == [deal.lot_id]


async def test_a_repeated_accept_with_the_same_idempotency_key_returns_the_first_order(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await new_deal(client, db, make_org)
    thread_id = (await deal.open_rfq())["id"]
    quote = await deal.offer(deal.seller, thread_id, "38000.00")
    key = {"Idempotency-Key": str(uuid.uuid4())}
    url, body = f"/api/rfqs/{thread_id}/accept", {"offer_id": quote["id"]}

    first = await client.post(url, json=body, headers={**deal.buyer.headers, **key})
    again = await client.post(url, json=body, headers={**deal.buyer.headers, **key})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert await count_orders(db, deal.lot_id) == 1

    fresh_key = await client.post(url, json=body, headers={**deal.buyer.headers, "Idempotency-Key": "another"})
    assert (fresh_key.status_code, fresh_key.json()["code"]) == (409, "thread_closed")
    reused = await client.post(url, json={"offer_id": quote["id"] + 1}, headers={**deal.buyer.headers, **key})
    assert (reused.status_code, reused.json()["field"]) == (422, "Idempotency-Key")


async def test_concurrent_accepts_with_one_idempotency_key_make_one_order_and_the_same_answer(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await new_deal(client, db, make_org)
    thread_id = (await deal.open_rfq())["id"]
    quote = await deal.offer(deal.seller, thread_id, "38000.00")
    buyer, key = await principal_of(db, deal.buyer), str(uuid.uuid4())
    answers = await asyncio.gather(
        *(_accept(db, buyer, thread_id, quote["id"], key) for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(a, int) for a in answers), answers
    assert len(set(answers)) == 1
    assert await count_orders(db, deal.lot_id) == 1


async def test_a_paid_sample_fee_is_deducted_from_the_order_amount(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await new_deal(client, db, make_org)
    opened = await deal.open_rfq(price="36000.00", sample_units=12)
    thread_id = opened["id"]
    sample = opened["samples"][0]
    assert (sample["units"], sample["status"], sample["fee"]) == (12, "requested", None)
    base = f"/api/rfqs/{thread_id}/samples/{sample['id']}"

    buyer_prices = await client.post(f"{base}/price", json={"unit_price": "1.00"}, headers=deal.buyer.headers)
    assert buyer_prices.status_code == 409
    priced = await client.post(f"{base}/price", json={"unit_price": "10.45"}, headers=deal.seller.headers)
    assert priced.status_code == 200
    assert (priced.json()["status"], priced.json()["fee"]) == ("priced", "125.40")
    before = (await balances(db, org_id=deal.seller.org_id or 0)).get("seller_payable", 0)
    confirmed = await client.post(f"{base}/confirm", headers=deal.buyer.headers)
    assert confirmed.json()["status"] == "ordered"
    # the sample's fee is paid to the seller through the ledger, once
    assert (await balances(db, org_id=deal.seller.org_id or 0))["seller_payable"] == before + 125_40
    await assert_ledger_balances(db)
    shipped = await client.post(f"{base}/ship", headers=deal.seller.headers)
    assert shipped.json()["status"] == "shipped"

    quote = await deal.offer(deal.seller, thread_id, "40000.00")
    order = await client.post(
        f"/api/rfqs/{thread_id}/accept", json={"offer_id": quote["id"]}, headers=deal.buyer.headers
    )
    assert order.status_code == 201
    assert order.json()["amount"] == "39874.60"
    assert order.json()["terms"]["quoted_price"] == "40000.00"
    assert order.json()["terms"]["sample_fee_credited"] == "125.40"
    view = await deal.thread(deal.buyer, thread_id)
    assert view["samples"][0]["credited_order_id"] == order.json()["id"]


async def test_a_sample_that_was_only_priced_is_not_credited(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await new_deal(client, db, make_org)
    thread_id = (await deal.open_rfq())["id"]
    requested = await client.post(f"/api/rfqs/{thread_id}/samples", json={"units": 3}, headers=deal.buyer.headers)
    assert requested.status_code == 201
    pending = await client.post(f"/api/rfqs/{thread_id}/samples", json={"units": 3}, headers=deal.buyer.headers)
    assert (pending.status_code, pending.json()["code"]) == (409, "sample_pending")
    sample_id = requested.json()["id"]
    await client.post(
        f"/api/rfqs/{thread_id}/samples/{sample_id}/price", json={"unit_price": "50.00"}, headers=deal.seller.headers
    )
    bad_move = await client.post(f"/api/rfqs/{thread_id}/samples/{sample_id}/eat", headers=deal.buyer.headers)
    assert 400 <= bad_move.status_code < 500
    quote = await deal.offer(deal.seller, thread_id, "40000.00")
    order = await client.post(
        f"/api/rfqs/{thread_id}/accept", json={"offer_id": quote["id"]}, headers=deal.buyer.headers
    )
    assert order.json()["amount"] == "40000.00"
    assert order.json()["terms"]["sample_fee_credited"] == "0.00"


async def test_expire_due_offers_marks_lapsed_offers_once_and_tells_both_sides(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await new_deal(client, db, make_org)
    thread_id = (await deal.open_rfq())["id"]
    valid_until = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    quote = await deal.offer(deal.seller, thread_id, "38000.00", valid_until=valid_until)

    async with db() as session, session.begin():
        assert await services.expire_due_offers(session, datetime.now(UTC)) == 0
    three_hours_on = datetime.now(UTC) + timedelta(hours=3)
    async with db() as session, session.begin():
        assert await services.expire_due_offers(session, three_hours_on) >= 1
    async with db() as session, session.begin():
        offer = await session.get(RfqOffer, quote["id"])
        assert offer is not None
        assert offer.status == "expired"
        for org_id in (deal.buyer.org_id, deal.seller.org_id):
            kinds = await session.scalars(
                select(Notification.kind).where(
                    Notification.org_id == org_id, Notification.link == f"/rfqs/{thread_id}"
                )
            )
            assert list(kinds).count("rfq_expired") == 1
    async with db() as session, session.begin():
        assert await services.expire_due_offers(session, three_hours_on) == 0


async def test_threads_on_a_lot_sold_by_another_path_are_closed_by_the_sweep(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await new_deal(client, db, make_org)
    thread_id = (await deal.open_rfq())["id"]
    purchaser = await make_org("buyer")
    await _purchase(db, deal.lot_id, purchaser.org_id or 0)
    async with db() as session, session.begin():
        assert await services.close_threads_on_unavailable_lots(session) >= 1
    view = await deal.thread(deal.buyer, thread_id)
    assert view["status"] == "closed"
    assert view["offers"][0]["status"] == "closed"
    notes = (await client.get("/api/notifications", headers=deal.buyer.headers)).json()["items"]
    assert any(n["kind"] == "rfq_closed" for n in notes)
