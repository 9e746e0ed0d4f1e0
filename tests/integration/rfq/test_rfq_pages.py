from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import OrgFactory
from tests.support.lots import live_lot
from tests.support.pages import PageSession
from tests.support.rfq import count_orders, new_deal


@pytest.fixture
def pages(client: AsyncTestClient[Litestar]) -> Iterator[PageSession]:
    session = PageSession(client)
    yield session
    session.close()


async def test_a_buyer_asks_for_a_quote_the_seller_counters_and_the_buyer_accepts_on_the_pages(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, pages: PageSession
) -> None:
    deal = await new_deal(client, db, make_org)
    await pages.sign_in(deal.buyer)
    form = await pages.get(f"/rfqs/new?lot_id={deal.lot_id}")
    assert form.status_code == 200
    assert "Ask for a quote" in form.text
    opened = await pages.post(
        "/rfqs/new",
        {"lot_id": str(deal.lot_id), "price": "30000.00", "payment_terms": "net30", "packaging": "Remove logo"},
    )
    assert opened.status_code == 303
    thread_url = opened.headers["location"]
    again = await pages.get(f"/rfqs/new?lot_id={deal.lot_id}", follow_redirects=False)
    assert (again.status_code, again.headers["location"]) == (303, thread_url)
    page = await pages.get(thread_url)
    assert page.status_code == 200
    assert "30000.00" in page.text
    assert f'sse-connect="/events/rfqs/{thread_url.rsplit("/", 1)[1]}"' in page.text

    await pages.sign_in(deal.seller)
    inbox = await pages.get("/rfqs")
    assert thread_url in inbox.text
    assert "Your answer" in inbox.text
    countered = await pages.post(
        f"{thread_url}/offers", {"price": "36000.00", "valid_for_hours": "72", "payment_terms": "net30"}, htmx=True
    )
    assert countered.status_code == 200
    assert 'id="thread-state"' in countered.text
    assert "36,000.00" in countered.text
    refused = await pages.post(f"{thread_url}/offers", {"price": "35000.00", "valid_for_hours": "72"}, htmx=True)
    assert refused.status_code == 200  # htmx swaps only 2xx answers: the offer card comes back in place
    assert refused.headers["hx-retarget"] == "#offer-card"
    assert "Your last offer is still open" in refused.text
    assert 'value="35000.00"' in refused.text

    await pages.sign_in(deal.buyer)
    state = await pages.get(f"{thread_url}/state")
    assert 'data-testid="accept"' in state.text
    thread_id = int(thread_url.rsplit("/", 1)[1])
    thread = await deal.thread(deal.buyer, thread_id)
    accepted = await pages.post(
        f"{thread_url}/accept", {"offer_id": str(thread["offers"][-1]["id"]), "idempotency_key": "k1"}, htmx=True
    )
    assert accepted.status_code == 200
    assert "Order #" in accepted.text
    assert await count_orders(db, deal.lot_id) == 1
    orders = await pages.get("/orders")
    assert "36,000.00" in orders.text
    await pages.sign_in(deal.seller)
    assert "36,000.00" in (await pages.get("/orders")).text


async def test_thread_pages_and_events_are_404_to_a_third_org(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, pages: PageSession
) -> None:
    deal = await new_deal(client, db, make_org)
    thread_id = (await deal.open_rfq())["id"]
    outsider = await make_org("buyer")
    await pages.sign_in(outsider)
    for url in (f"/rfqs/{thread_id}", f"/rfqs/{thread_id}/state", f"/events/rfqs/{thread_id}"):
        assert (await pages.get(url)).status_code == 404, url
    posted = await pages.post(f"/rfqs/{thread_id}/offers", {"price": "1.00"})
    assert posted.status_code in (303, 404)
    assert len((await deal.thread(deal.buyer, thread_id))["offers"]) == 1


async def test_a_refused_page_move_changes_nothing(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, pages: PageSession
) -> None:
    deal = await new_deal(client, db, make_org)
    thread_id = (await deal.open_rfq())["id"]
    own = (await deal.thread(deal.buyer, thread_id))["offers"][0]["id"]
    await pages.sign_in(deal.buyer)
    response = await pages.post(f"/rfqs/{thread_id}/accept", {"offer_id": str(own)})
    assert response.status_code == 303
    assert await count_orders(db, deal.lot_id) == 0
    page = await pages.get(f"/rfqs/{thread_id}")
    assert "cannot accept your own offer" in page.text


async def test_wanted_pages_let_a_buyer_post_a_seller_answer_and_the_buyer_compare(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, pages: PageSession
) -> None:
    buyer, seller = await make_org("buyer"), await make_org("seller")
    lot_id = await live_lot(db, seller, sale_mode="fixed_price", price_minor=4_000_000, quantity_value=Decimal("5000"))
    await pages.sign_in(buyer)
    bad = await pages.post(
        "/wanted/new", {"title": "Twill", "category": "", "quantity_value": "1", "quantity_unit": "m"}
    )
    assert bad.status_code == 422
    deadline = (date.today() + timedelta(days=30)).isoformat()
    posted = await pages.post(
        "/wanted/new",
        {
            "title": "Twill for workwear",
            "category": "textiles/fabric",
            "quantity_value": "4000",
            "quantity_unit": "m",
            "budget": "36000.00",
            "deadline": deadline,
            "spec.width.gte": "140 cm",  # the category's labelled spec field, as a bound
        },
    )
    assert posted.status_code == 303, posted.text
    wanted_url = posted.headers["location"]
    wanted = await client.get(f"/api{wanted_url}", headers=buyer.headers)
    assert [(s["key"], s["op"], s["value"], s["unit"]) for s in wanted.json()["specs"]] == [("width", "gte", 140, "cm")]

    await pages.sign_in(seller)
    board = await pages.get("/wanted")
    assert wanted_url in board.text
    detail = await pages.get(wanted_url)
    assert f"#{lot_id}" in detail.text
    answered = await pages.post(f"{wanted_url}/answers", {"lot_id": str(lot_id), "price": "32000.00"})
    assert answered.status_code == 303
    assert answered.headers["location"].startswith("/rfqs/")

    await pages.sign_in(buyer)
    comparison = await pages.get(wanted_url)
    assert "Quotes side by side" in comparison.text
    assert "32,000.00" in comparison.text
    assert "6.40" in comparison.text  # 32000.00 / 5000 m
    assert "Accept this quote" in comparison.text
    dashboard = await pages.get("/dashboard")
    assert 'data-testid="rfq-panel"' in dashboard.text

    thread_id = int(answered.headers["location"].rsplit("/", 1)[1])
    offer_id = (await client.get(f"/api/rfqs/{thread_id}", headers=buyer.headers)).json()["offers"][0]["id"]
    wrong_request = await pages.post(f"/wanted/999999/accept/{thread_id}", {"offer_id": str(offer_id)})
    assert wrong_request.status_code == 303
    assert await count_orders(db, lot_id) == 0
    asked = await pages.post(f"{wanted_url}/accept/{thread_id}", {"offer_id": str(offer_id), "idempotency_key": "x"})
    assert asked.status_code == 200
    assert "Accept this offer?" in asked.text
    assert "You pay 32,000.00 CNY into escrow" in asked.text
    assert await count_orders(db, lot_id) == 0
    accepted = await pages.post(
        f"{wanted_url}/accept/{thread_id}", {"offer_id": str(offer_id), "idempotency_key": "x", "confirmed": "yes"}
    )
    assert accepted.status_code == 303
    assert accepted.headers["location"].startswith("/orders/")
    assert await count_orders(db, lot_id) == 1
