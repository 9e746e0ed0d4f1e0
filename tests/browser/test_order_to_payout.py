"""An order walked through its pages: pay → ship → deliver → inspect → accept → settled, then the seller's
payout figure on the payouts page and in the statement PDF. The buyer's page is a phone (390 px) driven
with the keyboard; the seller's browser runs without JavaScript."""

from __future__ import annotations

import io
import re

from playwright.sync_api import Browser, expect
from pypdf import PdfReader

from tests.browser.accounts import register_verified, sign_in
from tests.browser.orders import bought_lot, tab_to
from tests.browser.screens import fits


def test_an_order_goes_from_payment_to_the_sellers_payout_through_its_pages(
    live_server: str, browser: Browser, admin_credentials: tuple[str, str]
) -> None:
    seller = register_verified(live_server, "seller", admin_credentials, "Jiangsu Hengli Textiles")
    buyer = register_verified(live_server, "buyer", admin_credentials, "Hangzhou Uniform Works")
    order_id = bought_lot(live_server, seller, buyer)
    order_url = f"{live_server}/orders/{order_id}"

    phone = browser.new_context(viewport={"width": 390, "height": 844}, timezone_id="Asia/Shanghai")
    no_js = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    try:
        buyer_page, seller_page = phone.new_page(), no_js.new_page()
        blocked: list[str] = []
        for page in (buyer_page, seller_page):
            page.set_default_timeout(15_000)
            page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
            page.on("pageerror", lambda error: blocked.append(str(error)))
        sign_in(buyer_page, live_server, buyer.email)
        sign_in(seller_page, live_server, seller.email)

        # The buyer finds the order in its list and pays from the order page, with the keyboard only.
        buyer_page.goto(f"{live_server}/orders?role=buyer")
        buyer_page.get_by_test_id("orders").get_by_role("link", name=f"#{order_id}").click()
        expect(buyer_page).to_have_url(order_url)
        expect(buyer_page.get_by_test_id("order-parties")).to_contain_text(seller.org)
        expect(buyer_page.get_by_test_id("deadlines")).to_contain_text("Payment due")
        fits(buyer_page)
        tab_to(buyer_page, "Pay now")
        buyer_page.keyboard.press("Enter")
        expect(buyer_page.get_by_test_id("order-notice")).to_contain_text("40,000.00 CNY is held in escrow")
        expect(buyer_page.get_by_test_id("order-status")).to_have_text("Paid (held in escrow)")

        # The seller (no JavaScript: plain posts and redirects) records the shipment; a typo is kept and named.
        seller_page.goto(order_url)
        seller_page.fill("#carrier", "SF Express")
        seller_page.fill("#tracking_number", "SF1234567890")
        seller_page.fill("#packages", "twelve")
        seller_page.fill("#weight", "412 kg")
        seller_page.get_by_role("button", name="Record the shipment").click()
        expect(seller_page.get_by_test_id("order-error")).to_be_visible()
        expect(seller_page.locator("#tracking_number")).to_have_value("SF1234567890")
        seller_page.fill("#packages", "12")
        seller_page.get_by_role("button", name="Record the shipment").click()
        expect(seller_page.get_by_test_id("order-status")).to_have_text("Shipped")
        expect(seller_page.get_by_test_id("shipment")).to_contain_text("SF1234567890")

        # The buyer confirms delivery, records a clean sample inspection and accepts.
        buyer_page.reload()
        buyer_page.get_by_role("button", name="Confirm delivery").click()
        expect(buyer_page.get_by_test_id("order-status")).to_have_text("Delivered")
        expect(buyer_page.get_by_test_id("deadlines")).to_contain_text("Inspection window closes")
        buyer_page.get_by_test_id("inspection-link").click()
        buyer_page.fill("#units_inspected", "1500")
        buyer_page.fill("#units_defective", "0")
        buyer_page.get_by_role("button", name="Record the inspection").click()
        expect(buyer_page.get_by_test_id("inspection-record")).to_contain_text("Suggested refund: 0.00")
        fits(buyer_page)
        buyer_page.goto(order_url)
        expect(buyer_page.get_by_test_id("order-inspection")).to_contain_text("0 of 1,500 units defective")
        buyer_page.once("dialog", lambda dialog: dialog.accept())  # "Accept the goods? ... cannot be undone"
        buyer_page.get_by_role("button", name="Accept the goods").click()
        expect(buyer_page.get_by_test_id("order-status")).to_have_text("Settled")
        expect(buyer_page.get_by_test_id("order-timeline")).to_contain_text("Goods accepted by the buyer")
        fits(buyer_page)

        # The seller's payout: 40 000 less the exchange's default 5 % fee, on the payouts page and in the PDF.
        seller_page.goto(order_url)
        expect(seller_page.get_by_test_id("seller-net")).to_have_text("38,000.00 CNY")
        seller_page.goto(f"{live_server}/seller/payouts")
        expect(seller_page.get_by_test_id("payable")).to_contain_text("38,000.00 CNY")
        row = seller_page.get_by_test_id("settled-orders").locator("tr", has_text=f"#{order_id}")
        expect(row).to_contain_text("38,000.00")
        pdf = seller_page.request.get(f"{order_url}/statement.pdf")
        assert pdf.ok, pdf.status
        assert pdf.headers["content-type"].startswith("application/pdf")
        text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf.body())).pages)
        assert re.search(r"38\s?000\.00", text), text[:2000]
        assert "40000.00" in text.replace(" ", ""), text[:2000]
        assert not blocked, blocked
    finally:
        phone.close()
        no_js.close()
