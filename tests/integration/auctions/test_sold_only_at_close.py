"""Once a sealed-bid lot has a bid it sells only at its close: no quote, wanted answer or acceptance sells it,
and its seller cannot withdraw it (each a 409 `lot_has_bids`), even when the bid arrives at the same moment.
Before the first bid a quote sale ends the bidding, releases deposits and tells bidders and watchers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import Actor, OrgFactory
from tests.support.catalogue import body, post_lot, publish
from tests.support.pages import PageSession
from tests.support.parallel import Call, fire_together
from tests.support.rfq import count_orders

SEALED = {"mode": "sealed_bid", "reserve_price": "30000.00", "min_bid": "20000.00", "rfq_enabled": True}
WANTED = {
    "title": "Cotton twill for workwear",
    "category": "textiles/fabric",
    "quantity": {"value": "5000", "unit": "m"},
    "deadline": (date.today() + timedelta(days=30)).isoformat(),
}


async def sealed_lot(client: AsyncTestClient[Litestar], seller: Actor, **sale: Any) -> int:
    """A live sealed-bid lot (minimum bid 20 000 CNY) posted and published through the API."""
    lot = await post_lot(client, seller, body(sale={**SEALED, **sale}))
    assert (await publish(client, seller, lot["id"]))["status"] == "live"
    return int(lot["id"])


async def wanted_answer(client: AsyncTestClient[Litestar], buyer: Actor, seller: Actor, lot_id: int) -> dict[str, Any]:
    """The buyer's wanted request answered by the seller with `lot_id` at 33 000: (thread, its offer id)."""
    wanted = await client.post("/api/wanted", json=WANTED, headers=buyer.headers)
    assert wanted.status_code == 201, wanted.text
    thread = await client.post(
        f"/api/wanted/{wanted.json()['id']}/answers",
        json={"lot_id": lot_id, "price": "33000.00"},
        headers=seller.headers,
    )
    assert thread.status_code == 201, thread.text
    return dict(thread.json())


def refused_for_bids(answer: httpx.Response) -> None:
    assert answer.status_code == 409, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["code"] == "lot_has_bids"
    assert "sells only at its close" in problem["detail"]


async def bid(client: AsyncTestClient[Litestar], bidder: Actor, lot_id: int, amount: str) -> httpx.Response:
    return await client.post(f"/api/lots/{lot_id}/bids", json={"amount": amount}, headers=bidder.headers)


async def kinds(client: AsyncTestClient[Litestar], actor: Actor) -> list[str]:
    return [note["kind"] for note in (await client.get("/api/notifications", headers=actor.headers)).json()["items"]]


async def test_a_sealed_lot_with_a_bid_is_neither_quoted_nor_sold_by_quote_nor_withdrawn(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, bidder, asker, wanting = [await make_org(kind) for kind in ("seller", "buyer", "buyer", "buyer")]
    lot_id = await sealed_lot(client, seller)
    # Threads opened before the first bid: an RFQ the seller quoted on, and an answer to a wanted request.
    rfq = await client.post(f"/api/lots/{lot_id}/rfqs", json={"price": "30000.00"}, headers=asker.headers)
    assert rfq.status_code == 201, rfq.text
    thread_url = f"/api/rfqs/{rfq.json()['id']}"
    quote = await client.post(f"{thread_url}/offers", json={"price": "34000.00"}, headers=seller.headers)
    assert quote.status_code == 201, quote.text
    answer = await wanted_answer(client, wanting, seller, lot_id)

    placed = await bid(client, bidder, lot_id, "1140000.00")
    assert placed.status_code == 201, placed.text

    # Accepting either quote, from the wanted comparison or the RFQ thread, is refused and changes nothing.
    refused_for_bids(
        await client.post(
            f"/api/rfqs/{answer['id']}/accept", json={"offer_id": answer["offers"][0]["id"]}, headers=wanting.headers
        )
    )
    refused_for_bids(
        await client.post(f"{thread_url}/accept", json={"offer_id": quote.json()["id"]}, headers=asker.headers)
    )
    assert await count_orders(db, lot_id) == 0
    request = await client.get(f"/api/wanted/{answer['wanted_request_id']}", headers=wanting.headers)
    assert request.json()["status"] == "open"
    # Nor may anyone make a new offer on it: a counter, a new RFQ, a new answer to a wanted request.
    refused_for_bids(await client.post(f"{thread_url}/offers", json={"price": "35000.00"}, headers=asker.headers))
    late_asker = await make_org("buyer")
    refused_for_bids(
        await client.post(f"/api/lots/{lot_id}/rfqs", json={"price": "30000.00"}, headers=late_asker.headers)
    )
    wanted = await client.post("/api/wanted", json=WANTED, headers=late_asker.headers)
    refused_for_bids(
        await client.post(
            f"/api/wanted/{wanted.json()['id']}/answers",
            json={"lot_id": lot_id, "price": "33000.00"},
            headers=seller.headers,
        )
    )
    # The seller cannot take it off the market either.
    refused_for_bids(await client.post(f"/api/lots/{lot_id}/withdraw", headers=seller.headers))

    lot = (await client.get(f"/api/lots/{lot_id}", headers=seller.headers)).json()
    assert (lot["status"], lot["bid_count"]) == ("live", 1)
    mine = await client.get(f"/api/lots/{lot_id}/bids/mine", headers=bidder.headers)
    assert mine.status_code == 200
    assert mine.json()["amount"] == "1140000.00"
    assert "lot_left_sale" not in await kinds(client, bidder)


async def test_a_bid_racing_an_acceptance_is_refused_or_refuses_it(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, bidder, wanting = await make_org("seller"), await make_org("buyer"), await make_org("buyer")
    winners = []
    # Holding the acceptance back a little more each round lets the bid win some rounds.
    for round_, delay in enumerate((0.0, 0.0, 0.01, 0.02, 0.04, 0.08)):
        lot_id = await sealed_lot(client, seller)
        answer = await wanted_answer(client, wanting, seller, lot_id)
        accept = Call(
            "POST",
            f"/api/rfqs/{answer['id']}/accept",
            wanting.headers,
            {"offer_id": answer["offers"][0]["id"]},
            delay=delay,
        )
        place = Call("POST", f"/api/lots/{lot_id}/bids", bidder.headers, {"amount": "1140000.00"})
        calls = [accept, place] if round_ % 2 == 0 else [place, accept]
        accepted, placed = fire_together(client, calls)[:: 1 if round_ % 2 == 0 else -1]
        assert sorted((accepted.status_code, placed.status_code)) == [201, 409], (accepted.text, placed.text)
        lot = (await client.get(f"/api/lots/{lot_id}", headers=seller.headers)).json()
        if accepted.status_code == 201:
            assert placed.json()["code"] != "lot_has_bids"  # the bid was refused: the lot is sold
            assert (lot["status"], lot["bid_count"], await count_orders(db, lot_id)) == ("sold", 0, 1)
            winners.append("quote")
        else:
            refused_for_bids(accepted)
            assert (lot["status"], lot["bid_count"], await count_orders(db, lot_id)) == ("live", 1, 0)
            winners.append("bid")
    print("race winners:", winners)


async def test_a_quote_sale_before_the_first_bid_ends_bidding_and_tells_bidders_and_watchers(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller, watcher, depositor, wanting = [await make_org(kind) for kind in ("seller", "buyer", "buyer", "buyer")]
    lot_id = await sealed_lot(client, seller, deposit_percent=5)
    assert (await client.put(f"/api/lots/{lot_id}/watch", headers=watcher.headers)).status_code in (200, 201)
    held = await client.post(f"/api/lots/{lot_id}/deposit", headers=depositor.headers)
    assert held.status_code == 201, held.text
    # A bid placed and withdrawn again: the lot has no bid, and may still be sold by quote.
    assert (await bid(client, depositor, lot_id, "25000.00")).status_code == 201
    assert (await client.delete(f"/api/lots/{lot_id}/bids/mine", headers=depositor.headers)).status_code == 204
    answer = await wanted_answer(client, wanting, seller, lot_id)

    accepted = await client.post(
        f"/api/rfqs/{answer['id']}/accept", json={"offer_id": answer["offers"][0]["id"]}, headers=wanting.headers
    )
    assert accepted.status_code == 201, accepted.text

    late = await bid(client, depositor, lot_id, "30000.00")
    assert late.status_code == 409, late.text
    assert (await client.get(f"/api/lots/{lot_id}", headers=watcher.headers)).json()["status"] == "sold"
    deposit = (await client.get(f"/api/lots/{lot_id}/deposit", headers=depositor.headers)).json()
    assert deposit["status"] == "released"
    for told in (watcher, depositor):
        assert (await kinds(client, told)).count("lot_left_sale") == 1
    assert "lot_left_sale" not in await kinds(client, wanting)  # the buyer has the order
    # The sale page says it was sold, not "Closed" at a closing time still to come; there is no report to open.
    page = await client.get(f"/lots/{lot_id}/sale")
    assert page.status_code == 200
    assert "Sold by quote" in page.text
    assert "Closed <time" not in page.text
    report = await client.get(f"/api/lots/{lot_id}/bids", headers=seller.headers)
    assert report.status_code == 404
    assert report.json()["code"] == "no_opening_report"


async def test_a_withdrawal_racing_a_bid_is_refused_or_refuses_it_and_releases_deposits(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller, bidder = await make_org("seller"), await make_org("buyer")
    outcomes = []
    for round_, delay in enumerate((0.0, 0.0, 0.01, 0.02, 0.04, 0.08)):
        lot_id = await sealed_lot(client, seller, deposit_percent=5)
        assert (await client.post(f"/api/lots/{lot_id}/deposit", headers=bidder.headers)).status_code == 201
        withdraw = Call("POST", f"/api/lots/{lot_id}/withdraw", seller.headers, delay=delay)
        place = Call("POST", f"/api/lots/{lot_id}/bids", bidder.headers, {"amount": "25000.00"})
        calls = [withdraw, place] if round_ % 2 == 0 else [place, withdraw]
        withdrawn, placed = fire_together(client, calls)[:: 1 if round_ % 2 == 0 else -1]
        assert (withdrawn.status_code, placed.status_code) in ((200, 409), (409, 201)), (withdrawn.text, placed.text)
        lot = (await client.get(f"/api/lots/{lot_id}", headers=seller.headers)).json()
        deposit = (await client.get(f"/api/lots/{lot_id}/deposit", headers=bidder.headers)).json()
        if withdrawn.status_code == 200:
            assert placed.status_code == 409
            assert (lot["status"], lot["bid_count"], deposit["status"]) == ("withdrawn", 0, "released")
            outcomes.append("withdrawn")
        else:
            refused_for_bids(withdrawn)
            assert (lot["status"], lot["bid_count"], deposit["status"]) == ("live", 1, "held")
            outcomes.append("bid")
    print("race winners:", outcomes)


async def test_the_withdraw_form_on_a_lot_with_bids_says_why_and_leaves_it_live(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller, bidder = await make_org("seller"), await make_org("buyer")
    lot_id = await sealed_lot(client, seller)
    assert (await bid(client, bidder, lot_id, "25000.00")).status_code == 201
    page = PageSession(client)
    try:
        await page.sign_in(seller)
        answer = await page.post(f"/lots/{lot_id}/withdraw", follow_redirects=True)
        assert answer.status_code == 200
        assert "sells only at its close" in answer.text
    finally:
        page.close()
    lot = (await client.get(f"/api/lots/{lot_id}", headers=seller.headers)).json()
    assert (lot["status"], lot["bid_count"]) == ("live", 1)
