from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import OrgFactory
from tests.support.auctions import closing_lot, opening_report_when_closed
from tests.support.lots import live_lot
from tests.support.pages import page_headers

HTMX = {"HX-Request": "true"}


async def test_a_buyer_bids_from_the_sale_page_and_sees_the_receipt_panel(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    lot_id = await live_lot(db, seller, min_bid_minor=1_000_00)
    page = await page_headers(client, buyer)

    shown = await client.get(f"/lots/{lot_id}/sale", headers=page)
    assert shown.status_code == 200
    assert 'data-testid="bid-form"' in shown.text
    assert f'sse-connect="/events/lots/{lot_id}"' in shown.text

    too_low = await client.post(f"/lots/{lot_id}/sale/bid", data={"amount": "999.99"}, headers={**page, **HTMX})
    assert too_low.status_code == 200
    assert "minimum bid on this lot is 1000.00 CNY" in too_low.text

    placed = await client.post(f"/lots/{lot_id}/sale/bid", data={"amount": "1234.50"}, headers={**page, **HTMX})
    assert placed.status_code == 200
    assert 'data-testid="receipt-panel"' in placed.text
    assert "1234.50 CNY" in placed.text
    assert "Revise bid" in placed.text

    without_js = await client.post(
        f"/lots/{lot_id}/sale/bid", data={"amount": "1300", "confirmed": "yes"}, headers=page, follow_redirects=False
    )
    assert without_js.status_code == 303
    mine = await client.get("/bids", headers=page)
    assert "1300.00 CNY" in mine.text
    assert "revision     2" in mine.text
    dashboard = await client.get("/dashboard", headers=page)
    assert 'data-testid="open-bids-panel"' in dashboard.text
    panel = await client.get("/bids/panel", headers=page)
    assert "1,300.00" in panel.text

    withdrawn = await client.post(f"/lots/{lot_id}/sale/withdraw", headers={**page, **HTMX})
    assert "withdrawn" in withdrawn.text
    assert 'data-testid="receipt-panel"' not in withdrawn.text


async def test_the_seller_sees_the_count_but_no_form_and_reads_the_opening_report_after_the_close(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller", name="Opening Seller Co"), await make_org("buyer", name="Named Bidder Co")
    lot_id = await closing_lot(db, seller)
    assert (
        await client.post(f"/api/lots/{lot_id}/bids", json={"amount": "777"}, headers=buyer.headers)
    ).status_code == 201
    page = await page_headers(client, seller)

    before = await client.get(f"/lots/{lot_id}/sale", headers=page)
    assert 'data-testid="bid-form"' not in before.text
    assert 'data-testid="bid-count">1<' in before.text
    assert (await client.get(f"/lots/{lot_id}/opening", headers=page)).status_code == 403

    await opening_report_when_closed(client, db, lot_id, seller)
    report = await client.get(f"/lots/{lot_id}/opening", headers=page)
    assert report.status_code == 200
    assert "Named Bidder Co" in report.text
    assert "777.00" in report.text
    status = await client.get(f"/lots/{lot_id}/sale/status", headers={**page, **HTMX})
    assert "awarded" in status.text


async def test_a_buyer_buys_a_fixed_price_lot_from_its_sale_page(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    lot_id = await live_lot(db, seller, sale_mode="fixed_price", price_minor=880_00)
    page = await page_headers(client, buyer)
    assert "Buy now for 880.00 CNY" in (await client.get(f"/lots/{lot_id}/sale", headers=page)).text

    bought = await client.post(f"/lots/{lot_id}/sale/purchase", headers={**page, **HTMX})
    assert bought.status_code == 200
    assert bought.headers["hx-redirect"].startswith("/orders/")
    again = await client.post(f"/lots/{lot_id}/sale/purchase", headers={**page, **HTMX})
    assert "already been sold" in again.text


async def test_sale_pages_and_live_events_of_a_private_lot_are_404_to_the_uninvited(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, outsider = await make_org("seller"), await make_org("buyer")
    lot_id = await live_lot(db, seller, visibility="private")
    page = await page_headers(client, outsider)
    for path in ("/sale", "/sale/panel", "/sale/status", "/sale/actions", "/opening"):
        assert (await client.get(f"/lots/{lot_id}{path}", headers=page)).status_code == 404, path
    assert (await client.get(f"/events/lots/{lot_id}", headers=page)).status_code == 404
    assert (await client.get(f"/events/lots/{lot_id}")).status_code == 404
    posted = await client.post(f"/lots/{lot_id}/sale/bid", data={"amount": "5"}, headers=page)
    assert posted.status_code == 404
