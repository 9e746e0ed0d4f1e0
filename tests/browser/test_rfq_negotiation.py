from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import httpx
from playwright.sync_api import Page, expect

from tests.browser.accounts import register_verified, sign_in
from tests.support.catalogue import FABRIC


def test_a_buyer_asks_for_a_quote_the_seller_counters_and_both_see_the_order_once_the_buyer_accepts(
    live_server: str, new_page: Callable[[], Page], admin_credentials: tuple[str, str]
) -> None:
    buyer = register_verified(live_server, "buyer", admin_credentials, "Shanghai Auto Parts")
    seller = register_verified(live_server, "seller", admin_credentials, "Jiangsu Hengli Textiles")
    title = f"5000 m cotton twill {uuid.uuid4().hex[:6]}"
    draft = httpx.post(f"{live_server}/api/lots", json={**FABRIC, "title": title}, headers=seller.headers)
    assert draft.status_code == 201, draft.text
    lot_id = draft.json()["id"]
    published = httpx.post(f"{live_server}/api/lots/{lot_id}/publish", headers=seller.headers)
    assert published.json()["status"] == "live", published.text

    # The buyer asks for a quote at 30 000 with net-30 terms and no logo.
    buyer_page, seller_page = new_page(), new_page()
    sign_in(buyer_page, live_server, buyer.email)
    buyer_page.goto(f"{live_server}/lots/{lot_id}")
    buyer_page.get_by_test_id("ask-for-quote").click()
    buyer_page.fill("#price", "30000.00")
    buyer_page.select_option("#payment_terms", "net30")
    buyer_page.fill("#packaging", "Remove the brand logo")
    buyer_page.fill("#message", "Can you do 30k for the whole lot?")
    buyer_page.get_by_role("button", name="Send request for quotation").click()
    expect(buyer_page).to_have_url(re.compile(rf"{re.escape(live_server)}/rfqs/\d+$"))
    thread_url = buyer_page.url
    expect(buyer_page.get_by_test_id("terms")).to_contain_text("30,000.00")
    expect(buyer_page.get_by_test_id("accept")).to_have_count(0)

    # A message with a link that is no web address and a file that is no photo: both problems show at once,
    # each under its field, and the link stays in the form (an HTMX swap of the message card).
    buyer_page.fill("#message-link", "ftp://files.example/specs")
    buyer_page.set_input_files("#message-file", {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"notes"})
    buyer_page.get_by_role("button", name="Send message").click()
    expect(buyer_page.locator("#link_url-error")).to_have_text("A link must be an http(s) address.")
    expect(buyer_page.locator("#file-error")).to_have_text("Attach a photo (JPEG, PNG, WebP) or a PDF document.")
    expect(buyer_page.locator("#message-link")).to_have_value("ftp://files.example/specs")
    expect(buyer_page.get_by_test_id("timeline-message")).to_have_count(0)

    # The seller finds it in the inbox and counters at 36 000 (an HTMX form, no reload).
    sign_in(seller_page, live_server, seller.email)
    seller_page.goto(f"{live_server}/rfqs")
    seller_page.get_by_test_id("rfq-inbox").get_by_role("link", name=title).click()
    expect(seller_page).to_have_url(thread_url)
    seller_page.fill("#offer-price", "36000.00")
    seller_page.get_by_role("button", name="Send offer").click()
    expect(seller_page.get_by_test_id("thread-state")).to_contain_text("Waiting for")
    expect(seller_page.get_by_test_id("timeline-offer")).to_have_count(2)
    seller_page.fill("#offer-price", "35000.00")  # not its turn: the refusal shows at the top of the form
    seller_page.get_by_role("button", name="Send offer").click()
    expect(seller_page.get_by_test_id("counter-card")).to_contain_text("still open")
    expect(seller_page.locator("#offer-price")).to_have_value("35000.00")
    seller_page.fill("#message-body", "Rolls are 100 m each; photos on request.")
    seller_page.get_by_role("button", name="Send message").click()
    expect(seller_page.get_by_test_id("timeline")).to_contain_text("Rolls are 100 m each")
    expect(seller_page.locator("#message-body")).to_have_value("")  # a sent message leaves an empty box
    expect(seller_page.locator("#rfq-feedback")).to_be_empty()

    # The buyer's open page learns of the counter over SSE and offers to accept it.
    accept = buyer_page.get_by_test_id("accept")
    expect(accept).to_contain_text("36,000.00", timeout=20_000)
    asked: list[str] = []
    buyer_page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    accept.click()
    expect(buyer_page.get_by_test_id("thread-status")).to_have_text("accepted")
    assert asked
    assert asked[0].startswith("Accept this offer 36,000.00 CNY? Accepting binds both sides")
    expect(buyer_page.locator("#rfq-forms")).to_contain_text("has ended")
    order_link = buyer_page.get_by_test_id("order-link")
    expect(order_link).to_be_visible()
    order_id = re.sub(r"\D", "", order_link.inner_text())

    for page in (buyer_page, seller_page):
        page.goto(f"{live_server}/orders")
        row = page.get_by_test_id("orders").locator("tr", has_text=f"#{order_id}")
        expect(row).to_contain_text("36,000.00 CNY")
        expect(row).to_contain_text("quote")
    seller_page.goto(f"{live_server}/orders/{order_id}")
    expect(seller_page.locator("body")).to_contain_text("Net 30 days")  # the terms in words, not the code "net30"
    expect(seller_page.locator("body")).to_contain_text("Remove the brand logo")
