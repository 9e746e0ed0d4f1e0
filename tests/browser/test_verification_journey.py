"""A buyer registers with a Unified Social Credit Code on a phone; the admin rejects with a reason; the
buyer reads it, corrects the address and sends again; the admin verifies. No page scrolls sideways."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.accounts import PASSWORD, fill_business
from tests.browser.screens import fits

PHONE = {"width": 390, "height": 844}


def _no_sideways_scroll(page: Page) -> None:
    fits(page)


def _sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name="Sign in").click()


def test_register_with_a_credit_code_rejected_corrected_and_verified_on_a_phone(
    live_server: str, new_page: Callable[[], Page], admin_credentials: tuple[str, str]
) -> None:
    org_name = f"Tianjin Procurement {uuid.uuid4().hex[:6]}"
    email = f"buyer-{uuid.uuid4().hex[:8]}@example.com"
    buyer = new_page()
    buyer.set_viewport_size(PHONE)
    buyer.goto(f"{live_server}/register")
    _no_sideways_scroll(buyer)
    buyer.fill("#name", "Wu Gang")
    buyer.fill("#email", email)
    buyer.fill("#password", PASSWORD)
    buyer.fill("#org_name", org_name)
    buyer.select_option("#org_kind", "buyer")
    details = fill_business(buyer, org_name, uscc="91350100M000100Y44")
    buyer.get_by_role("button", name="Create account").click()
    expect(buyer.locator("#uscc-error")).to_contain_text("last character of this code does not match")
    expect(buyer.locator("#legal_name")).to_have_value(details["legal_name"])
    _no_sideways_scroll(buyer)
    buyer.fill("#password", PASSWORD)
    buyer.fill("#uscc", "91350100-M000100Y43")
    buyer.set_input_files(
        "#licence", {"name": "licence.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
    )
    buyer.get_by_role("button", name="Create account").click()
    expect(buyer.locator(".flash-success")).to_contain_text(f"{org_name} is registered")

    admin = new_page()
    admin.set_viewport_size(PHONE)
    _sign_in(admin, live_server, *admin_credentials)
    admin.goto(f"{live_server}/admin/orgs")
    admin.locator("tr", has_text=org_name).get_by_role("link", name="Check details").click()
    expect(admin.get_by_test_id("uscc")).to_contain_text("91350100M000100Y43")
    expect(admin.get_by_test_id("legal-name")).to_have_text(details["legal_name"])
    expect(admin.get_by_role("link", name="licence.pdf")).to_be_visible()
    _no_sideways_scroll(admin)
    reason = "The address differs from the licence: it reads Binhai New Area."
    admin.fill("#reason", reason)
    admin.get_by_role("button", name="Reject").click()
    expect(admin.locator(".flash-success")).to_contain_text(f"{org_name} is told why")

    _sign_in(buyer, live_server, email, PASSWORD)
    expect(buyer).to_have_url(f"{live_server}/dashboard")
    _no_sideways_scroll(buyer)
    buyer.get_by_role("link", name="See or correct your verification details").click()
    expect(buyer.get_by_test_id("verification-status")).to_contain_text(reason)
    _no_sideways_scroll(buyer)
    buyer.fill("#address", "1 Binhai Road, Binhai New Area, Tianjin")
    buyer.get_by_role("button", name="Send for verification").click()
    expect(buyer.get_by_test_id("verification-status")).to_contain_text("Waiting for an administrator")
    buyer.goto(f"{live_server}/notifications")
    expect(buyer.get_by_text("Your organisation was not verified yet").first).to_be_visible()

    admin.goto(f"{live_server}/admin/orgs")
    admin.locator("tr", has_text=org_name).get_by_role("link", name="Check details").click()
    expect(admin.get_by_text("1 Binhai Road, Binhai New Area, Tianjin")).to_be_visible()
    admin.get_by_role("button", name="Verify").click()
    expect(admin.locator(".flash-success")).to_contain_text(f"{org_name} is verified")

    buyer.goto(f"{live_server}/verification")
    expect(buyer.get_by_test_id("verification-status")).to_contain_text("verified")
    _no_sideways_scroll(buyer)
