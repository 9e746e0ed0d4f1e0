from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
from playwright.sync_api import Dialog, Page, expect

from tests.browser.accounts import register_verified, sign_in
from tests.browser.auctions import close_soon
from tests.support.catalogue import FABRIC

BIDDING_SECONDS = 20
"""From the moment the lot's pages are open until it closes: time for two bids through the form."""


def test_two_buyers_bid_through_the_sale_page_and_watch_the_count_and_the_result_arrive_live(
    live_server: str, live_server_database_url: str, new_page: Callable[[], Page], admin_credentials: tuple[str, str]
) -> None:
    seller = register_verified(live_server, "seller", admin_credentials, "Jiangsu Hengli Textiles")
    first = register_verified(live_server, "buyer", admin_credentials, "Hangzhou Uniform Works")
    second = register_verified(live_server, "buyer", admin_credentials, "Wuxi Workwear")
    pages: dict[str, Page] = {}
    for name, account in (("seller", seller), ("first", first), ("second", second)):
        pages[name] = new_page()
        sign_in(pages[name], live_server, account.email)

    sale = {"mode": "sealed_bid", "reserve_price": "30000.00", "min_bid": "20000.00"}
    lot = {**FABRIC, "title": f"5000 m cotton twill {uuid.uuid4().hex[:6]}", "sale": sale}
    draft = httpx.post(f"{live_server}/api/lots", json=lot, headers=seller.headers)
    assert draft.status_code == 201, draft.text
    lot_id = draft.json()["id"]
    assert httpx.post(f"{live_server}/api/lots/{lot_id}/publish", headers=seller.headers).json()["status"] == "live"
    close_soon(live_server_database_url, lot_id, datetime.now(UTC) + timedelta(seconds=BIDDING_SECONDS))

    said: list[str] = []
    for page in pages.values():
        # A bid binds: the browser asks first, with the amount and what follows (accepted here).
        page.on("dialog", lambda dialog: (said.append(dialog.message), dialog.accept()))
        page.goto(f"{live_server}/lots/{lot_id}/sale")
        expect(page.get_by_test_id("bid-count")).to_have_text("0")
        expect(page.locator("[data-countdown]")).to_have_text(re.compile(r"^00:00:\d\d left$"))
    expect(pages["seller"].get_by_test_id("bid-form")).to_have_count(0)
    bells = {name: pages[name].locator(".bell-count").inner_text() for name in ("first", "second")}

    # The first buyer bids above the reserve: a receipt panel answers, and the other pages count it live.
    pages["first"].fill(f"#bid-amount-{lot_id}", "31500")
    pages["first"].get_by_role("button", name="Place sealed bid").click()
    receipt = pages["first"].get_by_test_id("receipt-panel")
    expect(receipt).to_contain_text("31,500.00 CNY")
    assert said[0].startswith("Place this sealed bid 31500 CNY? Your bid is sealed")
    assert "It binds you" in said[0]
    expect(receipt).to_contain_text("revision     1")
    for name in ("seller", "second"):
        expect(pages[name].get_by_test_id("bid-count")).to_have_text("1")
    # Sealed: neither the seller's page nor the other bidder's shows the amount or the bidder.
    for name in ("seller", "second"):
        expect(pages[name].locator("body")).not_to_contain_text("31500")
        expect(pages[name].locator("body")).not_to_contain_text(first.org)

    # The second buyer bids too little (a form message, nothing placed), then above the minimum.
    pages["second"].fill(f"#bid-amount-{lot_id}", "19999.99")
    pages["second"].get_by_role("button", name="Place sealed bid").click()
    expect(pages["second"].get_by_test_id("sale-error")).to_contain_text("minimum bid on this lot is 20000.00 CNY")
    expect(pages["second"].get_by_test_id("receipt-panel")).to_have_count(0)
    pages["second"].fill(f"#bid-amount-{lot_id}", "25000")
    pages["second"].get_by_role("button", name="Place sealed bid").click()
    expect(pages["second"].get_by_test_id("receipt-panel")).to_contain_text("25,000.00 CNY")
    for name in ("seller", "first"):
        expect(pages[name].get_by_test_id("bid-count")).to_have_text("2")

    # The close reaches every open page without a reload: each bidder's own result, and a notification.
    closed = BIDDING_SECONDS * 1000 + 10_000
    expect(pages["first"].get_by_test_id("my-outcome")).to_contain_text("You won this lot", timeout=closed)
    expect(pages["second"].get_by_test_id("my-outcome")).to_contain_text("did not win", timeout=closed)
    for name in ("first", "second"):
        expect(pages[name].locator(".bell-count")).not_to_have_text(bells[name])
    for page in pages.values():
        expect(page.get_by_test_id("sale-status")).to_contain_text("awarded")
        expect(page.get_by_test_id("bid-form")).to_have_count(0)

    # The seller opens the report from the page: both bids, ranked, with the bidders' names.
    pages["seller"].get_by_role("link", name="Opening report").click()
    expect(pages["seller"].get_by_test_id("winner")).to_contain_text(first.org)
    rows = pages["seller"].get_by_test_id("opening-report").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("31,500.00")
    expect(rows.nth(1)).to_contain_text("25,000.00")
    expect(rows.nth(1)).to_contain_text(second.org)


def test_a_buyer_confirms_a_fixed_price_purchase_and_another_buyers_open_page_turns_to_sold(
    live_server: str, new_page: Callable[[], Page], admin_credentials: tuple[str, str]
) -> None:
    seller = register_verified(live_server, "seller", admin_credentials, "Suzhou Silk Mill")
    buyer, rival = (
        register_verified(live_server, "buyer", admin_credentials, org) for org in ("Nanjing Hotels", "Xian Gifts")
    )
    lot = {**FABRIC, "title": f"5000 m cotton twill {uuid.uuid4().hex[:6]}"}
    lot_id = httpx.post(f"{live_server}/api/lots", json=lot, headers=seller.headers).json()["id"]
    assert httpx.post(f"{live_server}/api/lots/{lot_id}/publish", headers=seller.headers).json()["status"] == "live"
    buyer_page, rival_page = new_page(), new_page()
    for page, account in ((buyer_page, buyer), (rival_page, rival)):
        sign_in(page, live_server, account.email)
        page.goto(f"{live_server}/lots/{lot_id}/sale")
        expect(page.get_by_test_id("buy-button")).to_have_text("Buy now for 40,000.00 CNY")

    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    buyer_page.once("dialog", dismiss)
    buyer_page.get_by_test_id("buy-button").click()
    expect(buyer_page.get_by_test_id("buy-button")).to_be_visible()
    assert len(dialogs) == 1
    assert dialogs[0].startswith("Buy the whole lot 40,000.00 CNY? The lot is yours at once")
    assert httpx.get(f"{live_server}/api/lots/{lot_id}").json()["status"] == "live"  # dismissed: nothing bought

    buyer_page.once("dialog", lambda dialog: dialog.accept())
    buyer_page.get_by_test_id("buy-button").click()
    expect(buyer_page).to_have_url(re.compile(rf"{re.escape(live_server)}/orders/\d+$"))
    expect(buyer_page.locator("body")).to_contain_text("40,000.00 CNY")
    expect(rival_page.get_by_test_id("buy-button")).to_have_count(0)  # live, without a reload
    expect(rival_page.get_by_test_id("sale-panel")).to_contain_text("This lot has been sold")
    rival_page.get_by_test_id("lot-details-link").click()  # back to the lot's specs and documents
    expect(rival_page.get_by_test_id("lot-status")).to_have_text("sold")
