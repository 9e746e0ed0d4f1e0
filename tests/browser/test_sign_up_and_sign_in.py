from __future__ import annotations

import uuid

import httpx
from playwright.sync_api import Page, expect

from exchange.demo.kyb import example_details
from tests.browser.accounts import fill_business, licence_file, register_verified, sign_in


def test_a_buyer_signs_up_signs_out_signs_in_and_sees_the_buyer_navigation(
    live_server: str, browser_page: Page
) -> None:
    page = browser_page
    email = f"buyer-{uuid.uuid4().hex[:8]}@example.com"
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Create account").first.click()

    page.fill("#name", "Zhang Min")
    page.fill("#email", email)
    page.fill("#password", "short")
    page.fill("#org_name", "Shanghai Auto Parts")
    page.select_option("#org_kind", "buyer")
    fill_business(page, "Shanghai Auto Parts")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".field-error")).to_contain_text("at least 10 characters")

    page.fill("#password", "correct-horse-battery")
    page.set_input_files("#licence", licence_file())
    page.get_by_role("button", name="Create account").click()
    # Registering does not sign in (a taken address must get the same answer); signing in does.
    expect(page).to_have_url(f"{live_server}/login?next=/dashboard")
    expect(page.locator(".flash-success")).to_contain_text("Shanghai Auto Parts is registered")
    page.fill("#email", email)
    page.fill("#password", "correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server}/dashboard")
    expect(page.get_by_test_id("role")).to_contain_text("Buyer dashboard")
    expect(page.locator(".badge-unverified")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".flash-info")).to_contain_text("You are signed out.")
    expect(page.locator(".nav-user").get_by_role("link", name="Sign in")).to_be_visible()

    page.goto(f"{live_server}/dashboard")
    expect(page).to_have_url(f"{live_server}/login?next=/dashboard")
    page.fill("#email", email)
    page.fill("#password", "wrong-password-123")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".flash-error")).to_contain_text("not right")
    page.fill("#password", "correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server}/dashboard")
    nav = page.locator("nav.nav")
    expect(nav).to_have_attribute("data-role", "buyer")
    expect(nav.get_by_role("link", name="Orders")).to_be_visible()
    expect(nav.get_by_role("link", name="Organisations")).to_have_count(0)


def test_an_admin_sees_the_admin_navigation_and_verifies_an_organisation(
    live_server: str, browser_page: Page, admin_credentials: tuple[str, str]
) -> None:
    org_name = f"Foshan Metalworks {uuid.uuid4().hex[:6]}"
    registered = httpx.post(
        f"{live_server}/api/auth/register",
        json={
            "email": f"seller-{uuid.uuid4().hex[:8]}@example.com",
            "password": "correct-horse-battery",
            "name": "Wang Fang",
            "org": {"name": org_name, "kind": "seller", **example_details(org_name)},
        },
    )
    assert registered.status_code == 201

    page = browser_page
    page.goto(f"{live_server}/login")
    page.fill("#email", admin_credentials[0])
    page.fill("#password", admin_credentials[1])
    page.get_by_role("button", name="Sign in").click()
    nav = page.locator("nav.nav")
    expect(nav).to_have_attribute("data-role", "admin")
    nav.get_by_role("link", name="Organisations").click()
    page.locator("tr", has_text=org_name).get_by_role("link", name="Check details").click()
    page.get_by_role("button", name="Verify").click()
    expect(page.locator(".flash-success")).to_contain_text(f"{org_name} is verified")
    expect(page.locator("tr", has_text=org_name).locator(".badge-verified")).to_be_visible()


def test_a_seller_signs_out_from_a_page_and_the_back_button_shows_no_private_page(
    live_server: str, browser_page: Page, admin_credentials: tuple[str, str]
) -> None:
    page = browser_page
    seller = register_verified(live_server, "seller", admin_credentials, "Ningbo Plastics")
    sign_in(page, live_server, seller.email)
    page.goto(f"{live_server}/seller/lots")
    expect(page.locator(".nav-user")).to_contain_text(seller.org)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator(".flash-info")).to_contain_text("You are signed out.")
    expect(page.locator(".nav-user")).not_to_contain_text(seller.org)

    page.go_back()  # the browser asks the server again: the seller's page now wants a sign-in
    page.reload()
    expect(page).to_have_url(f"{live_server}/login?next=/seller/lots")
