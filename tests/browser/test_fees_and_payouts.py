"""In the browser: a settled order's net on the seller's payouts page and in its statement PDF; the admin's
fee schedule form (HTMX, on a phone-sized screen) and a payout batch with its CSV."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from decimal import Decimal

import httpx
import pypdf
from playwright.sync_api import Page, expect

from tests.browser.accounts import Account, register_verified, sign_in
from tests.browser.screens import fits
from tests.support.catalogue import FABRIC

SHIPMENT = {"carrier": "SF Express", "tracking_number": "SF1234567890", "packages": 12, "weight": "412 kg"}


def _settled_order(base: str, seller: Account, buyer: Account, price: str) -> int:
    """A fixed-price lot bought, paid (the simulated bank's callback), shipped, delivered and accepted."""
    lot = {**FABRIC, "title": f"3000 m poplin {uuid.uuid4().hex[:6]}", "sale": {"mode": "fixed_price", "price": price}}
    lot.pop("reference_price", None)
    draft = httpx.post(f"{base}/api/lots", json=lot, headers=seller.headers)
    assert draft.status_code == 201, draft.text
    lot_id = draft.json()["id"]
    assert httpx.post(f"{base}/api/lots/{lot_id}/publish", headers=seller.headers).json()["status"] == "live"
    bought = httpx.post(f"{base}/api/lots/{lot_id}/purchase", headers=buyer.headers)
    assert bought.status_code == 201, bought.text
    order_id = int(bought.json()["id"])
    started = httpx.post(f"{base}/api/orders/{order_id}/pay", headers=buyer.headers).json()
    callback = started["instructions"]
    assert httpx.post(f"{base}{callback['path']}", json=callback["body"], headers=callback["headers"]).is_success
    for actor, action, body in ((seller, "ship", SHIPMENT), (buyer, "deliver", None), (buyer, "accept", None)):
        answer = httpx.post(f"{base}/api/orders/{order_id}/{action}", json=body, headers=actor.headers)
        assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "settled"
    return order_id


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def test_the_seller_finds_the_net_of_a_settled_order_on_the_payouts_page_and_in_the_statement(
    live_server: str, new_page: Callable[[], Page], admin_credentials: tuple[str, str]
) -> None:
    seller = register_verified(live_server, "seller", admin_credentials, "Jiangsu Hengli Textiles")
    buyer = register_verified(live_server, "buyer", admin_credentials, "Shenzhen Welfare Supplies")
    order_id = _settled_order(live_server, seller, buyer, "30000.00")
    statement = httpx.get(f"{live_server}/api/orders/{order_id}/statement", headers=seller.headers).json()
    net = statement["seller_net"]
    assert statement["final"] is True

    page = new_page()
    sign_in(page, live_server, seller.email)
    page.get_by_role("link", name="Payouts").click()
    shown_net = f"{Decimal(net):,.2f}"  # pages write amounts with thousands separators
    expect(page.get_by_test_id("payable")).to_contain_text(shown_net)
    row = page.get_by_test_id("settled-orders").locator("tr", has_text=f"#{order_id}")
    expect(row).to_contain_text(shown_net)
    pdf_href = row.get_by_role("link", name="PDF").get_attribute("href")
    pdf = page.request.get(f"{live_server}{pdf_href}")
    assert pdf.headers["content-type"] == "application/pdf"
    text = _pdf_text(pdf.body())
    assert net in text
    assert "30000.00" in text
    row.get_by_role("link", name="Statement").click()
    expect(page.get_by_test_id("seller-net")).to_have_text(net)


def test_an_admin_sets_a_fee_schedule_on_a_phone_and_pays_sellers_out_in_a_batch(
    live_server: str, new_page: Callable[[], Page], admin_credentials: tuple[str, str]
) -> None:
    seller = register_verified(live_server, "seller", admin_credentials, "Ningbo Knitwear")
    buyer = register_verified(live_server, "buyer", admin_credentials, "Hangzhou Uniform Works")
    _settled_order(live_server, seller, buyer, "12000.00")

    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/login")
    page.fill("#email", admin_credentials[0])
    page.fill("#password", admin_credentials[1])
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/admin/fee-schedules")
    page.select_option("#category", "footwear/shoes")
    page.fill("#tier_up_to_0", "50000.00")
    page.fill("#tier_percent_0", "6")
    page.fill("#tier_percent_1", "150")  # out of range: the message sits next to the field
    page.fill("#effective_from", "2099-01-01T00:00")
    page.get_by_role("button", name="Save the version").click()
    expect(page.locator("#tier_percent_1-error")).to_contain_text("between 0 and 100")
    page.fill("#tier_percent_1", "4")
    page.get_by_role("button", name="Save the version").click()
    expect(page.get_by_test_id("fee-schedules")).to_contain_text("6 % up to 50,000.00 CNY; 4 % above")
    fits(page)

    page.goto(f"{live_server}/admin/finance")
    expect(page.get_by_test_id("owed")).to_contain_text(seller.org)
    page.get_by_role("button", name="Make a payout batch").first.click()
    expect(page.locator(".flash-success")).to_contain_text("Payout batch")
    expect(page.get_by_test_id("owed")).not_to_contain_text(seller.org)
    href = page.get_by_test_id("batches").get_by_role("link", name="CSV").first.get_attribute("href")
    exported = page.request.get(f"{live_server}{href}")
    assert exported.ok, (exported.status, exported.text()[:300])
    rows = list(csv.DictReader(io.StringIO(exported.text())))
    assert rows, exported.text()[:300]
    assert str(seller.org_id) in {row["seller_org_id"] for row in rows}
