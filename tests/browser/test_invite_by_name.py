"""A seller makes a lot private and invites a buyer by typing part of its name (HTMX suggestions, Enter
does not save the form); the lot names the invitee and the invited buyer's dashboard shows the lot."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.accounts import register_verified, sign_in
from tests.browser.posting import fill_fabric_lot


def test_a_seller_invites_a_buyer_by_name_and_the_buyer_sees_the_private_lot(
    live_server: str, new_page: Callable[[], Page], admin_credentials: tuple[str, str]
) -> None:
    seller = register_verified(live_server, "seller", admin_credentials, "Jiangsu Textiles")
    buyer = register_verified(live_server, "buyer", admin_credentials, "Tianjin Procurement")
    title = f"5000 m poplin {uuid.uuid4().hex[:6]}"
    page = new_page()
    sign_in(page, live_server, seller.email)
    page.goto(f"{live_server}/lots/new")
    fill_fabric_lot(page, title)
    page.get_by_label("Private — only invited buyer organisations see it (and its price)").check()

    tail = buyer.org.rsplit(" ", 1)[1]
    page.fill("#invite_q", f"procurement {tail}")
    choice = page.get_by_label(buyer.org)
    expect(choice).to_be_visible()  # suggested over HTMX while typing
    page.press("#invite_q", "Enter")  # searches; the draft is not saved yet
    expect(page).to_have_url(f"{live_server}/lots/new")
    choice.check()
    page.fill("#invite_q", "zz-nobody-here")
    expect(page.get_by_text("No verified buyer organisation has “zz-nobody-here” in its name.")).to_be_visible()
    expect(page.get_by_label(buyer.org)).to_be_checked()  # a ticked organisation stays while searching on
    page.get_by_role("button", name="Save as draft").click()

    expect(page.get_by_test_id("invited-orgs")).to_have_text(f"Invited organisations: {buyer.org}")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_test_id("lot-status")).to_have_text("live")

    invited = new_page()
    sign_in(invited, live_server, buyer.email)
    expect(invited.get_by_test_id("invited-lots-panel")).to_contain_text(title)
    invited.get_by_test_id("invited-lots-panel").get_by_role("link", name=title).click()
    expect(invited.get_by_test_id("lot-title")).to_have_text(title)
