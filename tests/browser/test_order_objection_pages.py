"""An objection through the pages: the buyer's inspection prices a refund, the buyer opens a dispute with a
photo as evidence, the seller rejects it, an admin decides a partial refund, and both sides see the outcome."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.accounts import register_verified, sign_in
from tests.browser.orders import api_step, bought_lot
from tests.support.orders import SHIPMENT

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def test_an_objection_with_evidence_ends_in_a_partial_refund_both_sides_see_on_the_order_and_dispute(
    live_server: str, new_page: Callable[[], Page], admin_credentials: tuple[str, str]
) -> None:
    seller = register_verified(live_server, "seller", admin_credentials, "Jiangsu Hengli Textiles")
    buyer = register_verified(live_server, "buyer", admin_credentials, "Hangzhou Uniform Works")
    order_id = bought_lot(live_server, seller, buyer)
    api_step(live_server, order_id, "pay", buyer)
    api_step(live_server, order_id, "ship", seller, SHIPMENT)
    api_step(live_server, order_id, "deliver", buyer)
    order_url = f"{live_server}/orders/{order_id}"
    buyer_page, seller_page, admin_page = new_page(), new_page(), new_page()
    sign_in(buyer_page, live_server, buyer.email)
    sign_in(seller_page, live_server, seller.email)

    # The buyer adds a photo, inspects a sample (one in ten stained, grade B against A) and objects.
    buyer_page.goto(order_url)
    buyer_page.set_input_files("#evidence-file", files=[{"name": "stains.png", "mimeType": "image/png", "buffer": PNG}])
    buyer_page.get_by_role("button", name="Upload evidence").click()
    expect(buyer_page.get_by_test_id("order-notice")).to_contain_text("stains.png is added")
    buyer_page.get_by_test_id("inspection-link").click()
    buyer_page.fill("#units_inspected", "1500")
    buyer_page.fill("#units_defective", "150")
    buyer_page.select_option("#observed_grade", "B")
    buyer_page.fill("#defects_by_kind", "stains: 150")
    buyer_page.get_by_role("button", name="Record the inspection").click()
    record = buyer_page.get_by_test_id("inspection-record")
    expect(record).to_contain_text("Suggested refund")
    expect(buyer_page.get_by_test_id("refund-lines")).to_contain_text("Grade B observed against A listed")
    buyer_page.fill("#reason", "One roll in ten is stained; the shade is grade B, not A.")
    buyer_page.get_by_role("button", name="Open a dispute").click()
    expect(buyer_page).to_have_url(re.compile(rf"{re.escape(live_server)}/disputes/\d+$"))
    dispute_url = buyer_page.url
    expect(buyer_page.get_by_test_id("dispute-status")).to_have_text("open")
    expect(buyer_page.get_by_test_id("evidence")).to_contain_text("stains.png")

    # The seller sees the order disputed, follows it to the dispute and rejects the claim.
    seller_page.goto(order_url)
    expect(seller_page.get_by_test_id("order-status")).to_have_text("Disputed")
    seller_page.get_by_test_id("dispute-link").click()
    expect(seller_page).to_have_url(dispute_url)
    seller_page.get_by_label("Reject (an admin decides)").check()
    seller_page.fill("#message", "The rolls were clean when they left; see our dispatch photos.")
    seller_page.get_by_role("button", name="Send the answer").click()
    expect(seller_page.get_by_test_id("dispute-status")).to_have_text("escalated")

    # The admin finds it in the arbitration queue and decides a partial refund of 3000.00.
    admin_page.goto(f"{live_server}/login")
    admin_page.fill("#email", admin_credentials[0])
    admin_page.fill("#password", admin_credentials[1])
    admin_page.get_by_role("button", name="Sign in").click()
    expect(admin_page).to_have_url(f"{live_server}/dashboard")
    admin_page.goto(f"{live_server}/admin/disputes")
    admin_page.get_by_test_id("dispute-queue").locator(f'a[href="{dispute_url.removeprefix(live_server)}"]').click()
    expect(admin_page.get_by_test_id("decide-form")).to_be_visible()
    admin_page.get_by_label("Partial refund of", exact=False).first.check()
    admin_page.fill('[aria-label="Refund amount"]', "3000.00")
    admin_page.fill("#reason", "The photos show stains on about one roll in ten; a partial refund is fair.")
    admin_page.get_by_role("button", name="Decide").click()
    expect(admin_page.get_by_test_id("dispute-outcome")).to_contain_text("partial refund: refund 3,000.00")

    # Both sides see the outcome, on the dispute and on the order.
    for page in (buyer_page, seller_page):
        page.goto(dispute_url)
        expect(page.get_by_test_id("dispute-status")).to_have_text("resolved")
        expect(page.get_by_test_id("dispute-outcome")).to_contain_text("partial refund: refund 3,000.00")
        expect(page.locator("body")).to_contain_text("a partial refund is fair")
        page.goto(order_url)
        expect(page.get_by_test_id("order-status")).to_have_text("Resolved")
        expect(page.get_by_test_id("order-timeline")).to_contain_text("Dispute resolved")
