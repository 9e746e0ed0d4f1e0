"""The order pages at 390 px: no horizontal scrolling on the lists, the order, the inspection form, the
dispute and the arbitration queue, for the buyer, the seller and an admin."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.browser.accounts import register_verified, sign_in
from tests.browser.orders import api_step, bought_lot
from tests.browser.screens import fits
from tests.support.orders import SHIPMENT


def _admin_sign_in(page: Page, base: str, admin: tuple[str, str]) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", admin[0])
    page.fill("#password", admin[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/dashboard")


def test_the_order_pages_fit_a_390_px_screen(
    live_server: str, browser: Browser, admin_credentials: tuple[str, str]
) -> None:
    seller = register_verified(live_server, "seller", admin_credentials, "Jiangsu Hengli Textiles")
    buyer = register_verified(live_server, "buyer", admin_credentials, "Hangzhou Uniform Works")
    order_id = bought_lot(live_server, seller, buyer)
    for action, who, body in (("pay", buyer, None), ("ship", seller, SHIPMENT), ("deliver", buyer, None)):
        api_step(live_server, order_id, action, who, body)
    inspected = httpx.post(
        f"{live_server}/api/orders/{order_id}/inspection",
        json={"units_inspected": 1500, "units_defective": 150, "observed_grade": "B", "notes": "Stains"},
        headers=buyer.headers,
    )
    assert inspected.status_code == 201, inspected.text
    opened = httpx.post(
        f"{live_server}/api/orders/{order_id}/disputes", json={"reason": "Stained rolls"}, headers=buyer.headers
    )
    assert opened.status_code == 201, opened.text
    dispute = f"/disputes/{opened.json()['id']}"

    pages = {
        "buyer": [f"/orders/{order_id}", "/orders", f"/orders/{order_id}/inspection", dispute],
        "seller": [f"/orders/{order_id}", "/orders?role=seller", dispute, "/seller/payouts"],
        "admin": ["/orders", f"/orders/{order_id}", "/admin/disputes?status=all", dispute],
    }
    for who, urls in pages.items():
        context = browser.new_context(viewport={"width": 390, "height": 844})
        try:
            page = context.new_page()
            page.set_default_timeout(15_000)
            if who == "admin":
                _admin_sign_in(page, live_server, admin_credentials)
            else:
                sign_in(page, live_server, (buyer if who == "buyer" else seller).email)
            for url in urls:
                page.goto(f"{live_server}{url}")
                expect(page.locator("h1")).to_be_visible()
                fits(page)
        finally:
            context.close()
