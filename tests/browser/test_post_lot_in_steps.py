"""A seller posts a sealed-bid lot in six steps, in English and Chinese, on a desktop and a phone: each step
fits the screen, the sale step shows only the sealed-bid fields and states the closing rule before publishing,
and the last step invites a buyer by name."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from tests.browser.accounts import register_verified, sign_in
from tests.browser.posting import fill_fabric_lot
from tests.browser.screens import Screen, fits


def test_a_seller_posts_a_lot_in_steps_and_invites_a_buyer_by_name(
    live_server: str, screen: Screen, admin_credentials: tuple[str, str]
) -> None:
    seller = register_verified(live_server, "seller", admin_credentials, "Ningbo Mills")
    buyer = register_verified(live_server, "buyer", admin_credentials, "Wuxi Uniforms")
    title = f"5000 m twill {uuid.uuid4().hex[:6]}"
    page = screen.open()
    sign_in(page, live_server, seller.email)
    page.goto(f"{live_server}/lots/new")
    steps = page.locator("[data-step-list] a")
    expect(steps).to_have_count(6)
    expect(steps.nth(0)).to_have_attribute("aria-current", "step")

    fill_fabric_lot(page, title, min_bid="20000.00", on_each_step=lambda: fits(page))
    rules = page.get_by_test_id("sale-rules")
    expect(rules).to_contain_text(screen.says("at least 1 hour after publishing", "至少 1小时"))
    expect(rules).to_contain_text(screen.says("7 to 15 days", "7 至 15 天"))

    expect(steps.nth(5)).to_have_attribute("aria-current", "step")
    page.locator("input[name='visibility'][value='private']").check()
    page.fill("#invite_q", buyer.org.rsplit(" ", 1)[1])
    page.get_by_label(buyer.org).check()  # suggested over HTMX while typing
    fits(page)
    page.get_by_test_id("save-lot").click()

    expect(page.get_by_test_id("lot-status")).to_have_text(screen.says("draft", "草稿"))
    expect(page.get_by_test_id("invited-orgs")).to_contain_text(buyer.org)
    fits(page)
