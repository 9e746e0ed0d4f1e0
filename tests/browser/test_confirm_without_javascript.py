"""With scripts off, a sealed bid on a phone goes through a confirm page that states the amount and what
follows; nothing is placed until its button is pressed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from playwright.sync_api import Browser, expect

from tests.browser.accounts import register_verified, sign_in
from tests.browser.screens import fits
from tests.support.catalogue import FABRIC


def test_a_sealed_bid_without_javascript_is_confirmed_on_a_page_at_390_px(
    live_server: str, browser: Browser, admin_credentials: tuple[str, str]
) -> None:
    seller = register_verified(live_server, "seller", admin_credentials, "Jiangsu Hengli Textiles")
    buyer = register_verified(live_server, "buyer", admin_credentials, "Hangzhou Uniform Works")
    closes = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
    sale = {"mode": "sealed_bid", "min_bid": "20000.00", "closes_at": closes}
    lot = {**FABRIC, "title": f"5000 m cotton twill {uuid.uuid4().hex[:6]}", "sale": sale}
    lot_id = httpx.post(f"{live_server}/api/lots", json=lot, headers=seller.headers).json()["id"]
    assert httpx.post(f"{live_server}/api/lots/{lot_id}/publish", headers=seller.headers).json()["status"] == "live"

    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, live_server, buyer.email)
        page.goto(f"{live_server}/lots/{lot_id}/sale")
        page.fill(f"#bid-amount-{lot_id}", "31500")
        page.get_by_role("button", name="Place sealed bid").click()

        step = page.get_by_test_id("confirm-step")
        expect(step.get_by_test_id("confirm-amount")).to_contain_text("31,500.00")
        expect(step.get_by_test_id("confirm-next")).to_contain_text("It binds you")
        fits(page)
        mine = httpx.get(f"{live_server}/api/bids/mine", headers=buyer.headers).json()["items"]
        assert mine == []

        page.get_by_role("button", name="Yes, place my bid").click()
        expect(page.locator(".flash-success")).to_contain_text("Your bid of 31,500.00 CNY is in")
        mine = httpx.get(f"{live_server}/api/bids/mine", headers=buyer.headers).json()["items"]
        assert [bid["amount"] for bid in mine] == ["31500.00"]
    finally:
        context.close()
