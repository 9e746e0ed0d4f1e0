"""Binding steps on the sale page are said in words before they happen: a browser without JavaScript
gets a confirm page (amount, what follows, a button), and nothing happens until it is pressed."""

from __future__ import annotations

import html
import re

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import OrgFactory
from tests.support.lots import live_lot
from tests.support.pages import page_headers


def _next(text: str) -> str:
    found = re.search(r'data-testid="confirm-next">(.*?)</ul>', html.unescape(text), re.S)
    assert found, "the confirm page says what happens next"
    return found.group(1)


async def test_a_bid_without_javascript_is_confirmed_on_a_page_with_its_amount_before_it_counts(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    lot_id = await live_lot(db, seller, min_bid_minor=1_000_00)
    page = await page_headers(client, buyer)

    shown = html.unescape((await client.get(f"/lots/{lot_id}/sale", headers=page)).text)
    assert re.search(r'data-confirm="Place this sealed bid \{amount\} CNY\? Your bid is sealed', shown)

    asked = await client.post(f"/lots/{lot_id}/sale/bid", data={"amount": "15000"}, headers=page)
    assert asked.status_code == 200
    assert re.search(r'data-testid="confirm-amount">15,000.00 CNY', asked.text)
    assert "It binds you" in _next(asked.text)
    assert 'name="confirmed" value="yes"' in asked.text
    assert 'name="amount" value="15000.00"' in asked.text
    assert (await client.get("/api/bids/mine", headers={"Authorization": f"Bearer {buyer.token}"})).json()[
        "items"
    ] == []

    bad = await client.post(f"/lots/{lot_id}/sale/bid", data={"amount": "15,000"}, headers=page, follow_redirects=False)
    assert bad.status_code == 303

    placed = await client.post(
        f"/lots/{lot_id}/sale/bid",
        data={"amount": "15000.00", "confirmed": "yes"},
        headers=page,
        follow_redirects=False,
    )
    assert placed.status_code == 303
    mine = (await client.get("/api/bids/mine", headers={"Authorization": f"Bearer {buyer.token}"})).json()["items"]
    assert [bid["amount"] for bid in mine] == ["15000.00"]

    revise = await client.post(f"/lots/{lot_id}/sale/bid", data={"amount": "16000"}, headers=page)
    assert "Revise your sealed bid?" in revise.text
    assert "It replaces your current bid of 15,000.00 CNY." in _next(revise.text)

    withdraw = await client.post(f"/lots/{lot_id}/sale/withdraw", headers=page)
    assert withdraw.status_code == 200
    assert "Withdraw your bid?" in withdraw.text
    assert "cannot win the lot" in _next(withdraw.text)
    still = (await client.get("/api/bids/mine", headers={"Authorization": f"Bearer {buyer.token}"})).json()["items"]
    assert [bid["amount"] for bid in still] == ["15000.00"]


async def test_a_purchase_without_javascript_is_confirmed_on_a_page_before_the_lot_is_bought(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    lot_id = await live_lot(db, seller, sale_mode="fixed_price", price_minor=880_00)
    page = await page_headers(client, buyer)

    asked = await client.post(f"/lots/{lot_id}/sale/purchase", headers=page)
    assert asked.status_code == 200
    assert "Buy the whole lot?" in asked.text
    assert "You pay 880.00 CNY into escrow" in _next(asked.text)
    assert (await client.get(f"/api/lots/{lot_id}")).json()["status"] == "live"

    bought = await client.post(
        f"/lots/{lot_id}/sale/purchase", data={"confirmed": "yes"}, headers=page, follow_redirects=False
    )
    assert bought.status_code == 303
    assert bought.headers["location"].startswith("/orders/")
    assert (await client.get(f"/api/lots/{lot_id}")).json()["status"] == "sold"
