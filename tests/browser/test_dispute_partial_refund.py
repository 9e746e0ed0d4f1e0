from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import httpx
from playwright.sync_api import Page, expect

from tests.browser.accounts import Account, register_verified, sign_in
from tests.support.catalogue import FABRIC


def _delivered(base: str, seller: Account, buyer: Account) -> int:
    """The fabric lot (40 000.00, grade A, 12.50/m) bought, paid, shipped and delivered through the API."""
    draft = httpx.post(
        f"{base}/api/lots", json={**FABRIC, "title": f"Twill {uuid.uuid4().hex[:6]}"}, headers=seller.headers
    )
    assert draft.status_code == 201, draft.text
    lot_id = draft.json()["id"]
    assert httpx.post(f"{base}/api/lots/{lot_id}/publish", headers=seller.headers).json()["status"] == "live"
    bought = httpx.post(f"{base}/api/lots/{lot_id}/purchase", headers=buyer.headers)
    assert bought.status_code == 201, bought.text
    order_id = int(bought.json()["id"])
    how = httpx.post(f"{base}/api/orders/{order_id}/pay", headers=buyer.headers).json()["instructions"]
    assert httpx.post(f"{base}{how['path']}", json=how["body"], headers=how["headers"]).status_code == 200
    shipment = {"carrier": "SF Express", "tracking_number": "SF1234567890", "packages": 4}
    assert httpx.post(f"{base}/api/orders/{order_id}/ship", json=shipment, headers=seller.headers).status_code == 200
    assert httpx.post(f"{base}/api/orders/{order_id}/deliver", headers=buyer.headers).status_code == 200
    return order_id


def test_an_objection_ends_in_a_partial_refund_the_admin_decides(
    live_server: str, new_page: Callable[[], Page], admin_credentials: tuple[str, str]
) -> None:
    buyer = register_verified(live_server, "buyer", admin_credentials, "Shanghai Auto Parts")
    seller = register_verified(live_server, "seller", admin_credentials, "Jiangsu Hengli Textiles")
    order_id = _delivered(live_server, seller, buyer)

    # The buyer inspects an ISO 2859-1 sample and sees the suggested refund, line by line.
    buyer_page = new_page()
    sign_in(buyer_page, live_server, buyer.email)
    buyer_page.goto(f"{live_server}/orders/{order_id}")
    buyer_page.get_by_test_id("inspection-link").click()
    buyer_page.fill("#units_inspected", "200")
    buyer_page.fill("#units_defective", "20")
    buyer_page.select_option("#sampling", "iso2859")
    buyer_page.select_option("#observed_grade", "B")
    buyer_page.fill("#defects_by_kind", "stains: 14\nholes: 6")
    buyer_page.get_by_role("button", name="Record the inspection").click()
    expect(buyer_page.get_by_test_id("inspection-record")).to_contain_text("Suggested refund: 14,285.71")
    expect(buyer_page.get_by_test_id("refund-lines")).to_contain_text("Grade B observed against A listed")

    # It objects with the suggestion as its claim; the seller rejects.
    buyer_page.fill("#reason", "A tenth of the rolls are stained and the rest is grade B.")
    buyer_page.get_by_role("button", name="Open a dispute").click()
    expect(buyer_page).to_have_url(re.compile(rf"{re.escape(live_server)}/disputes/\d+$"))
    dispute_url = buyer_page.url
    expect(buyer_page.get_by_test_id("dispute-status")).to_have_text("open")

    seller_page = new_page()
    sign_in(seller_page, live_server, seller.email)
    seller_page.goto(dispute_url)
    seller_page.get_by_label("Reject (an admin decides)").check()
    seller_page.fill("#message", "The rolls left the mill clean.")
    seller_page.get_by_role("button", name="Send the answer").click()
    expect(seller_page.get_by_test_id("dispute-status")).to_have_text("escalated")

    # The admin finds it in the queue and decides a partial refund.
    admin_page = new_page()
    admin_page.goto(f"{live_server}/login")
    admin_page.fill("#email", admin_credentials[0])
    admin_page.fill("#password", admin_credentials[1])
    admin_page.get_by_role("button", name="Sign in").click()
    admin_page.goto(f"{live_server}/admin/disputes")
    admin_page.get_by_test_id("dispute-queue").locator(f'a[href="{dispute_url.removeprefix(live_server)}"]').click()
    expect(admin_page.get_by_test_id("refund-lines")).to_contain_text("4,000.00")
    admin_page.fill('input[name="amount"]', "10000.00")
    admin_page.fill("#reason", "The photos show stains on a tenth of the rolls; grade B is not shown.")
    admin_page.get_by_role("button", name="Decide").click()
    expect(admin_page.get_by_test_id("dispute-outcome")).to_contain_text("partial refund: refund 10,000.00")

    buyer_page.goto(dispute_url)
    expect(buyer_page.get_by_test_id("dispute-outcome")).to_contain_text("10,000.00")
    order = httpx.get(f"{live_server}/api/orders/{order_id}", headers=buyer.headers).json()
    assert order["status"] == "resolved"
