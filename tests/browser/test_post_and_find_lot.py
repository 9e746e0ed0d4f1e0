from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from tests.browser.accounts import register_verified, sign_in
from tests.browser.posting import fill_fabric_lot


def test_a_seller_posts_a_lot_through_the_form_publishes_it_and_finds_it_by_a_spec_filter(
    live_server: str, browser_page: Page, admin_credentials: tuple[str, str]
) -> None:
    page = browser_page
    seller = register_verified(live_server, "seller", admin_credentials, "Jiangsu Textiles")
    marker = f"twill{uuid.uuid4().hex[:8]}"
    sign_in(page, live_server, seller.email)

    page.locator("nav.nav").get_by_role("link", name="Post a lot").click()
    fill_fabric_lot(
        page,
        f"5000 m cotton {marker}, 150 cm wide",
        colour="navy blue",
        grade="B",
        defects="Shade variation between rolls; 3 rolls with crease marks.",
    )
    page.get_by_role("button", name="Save as draft").click()

    expect(page.get_by_test_id("lot-status")).to_have_text("draft")
    expect(page.get_by_test_id("spec-table")).to_contain_text("150 cm")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_test_id("lot-status")).to_have_text("live")
    expect(page.locator(".flash-success")).to_contain_text("Published")

    page.locator("nav.nav").get_by_role("link", name="Browse lots").click()
    page.evaluate("window.__notReloaded = true")
    card = page.get_by_test_id("lot-card").filter(has_text=marker)
    page.fill("#q", marker)
    page.press("#q", "Enter")
    expect(page).to_have_url(f"{live_server}/lots?q={marker}")
    expect(card).to_have_count(1)
    # Enter can send two requests (the field's change, then the submit): let both land before the
    # next change, or it may go to a form that the later answer then replaces.
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    page.select_option("#category", "textiles/fabric")
    expect(page.locator("#spec-width-gte")).to_be_visible()  # the category's spec filters appear in place
    page.fill("#spec-width-gte", "140cm")
    page.press("#spec-width-gte", "Enter")
    expect(page).to_have_url(re.compile(r"/lots\?.*spec\.width\.gte=140cm"))  # the filtered view is linkable
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Grade B")
    expect(page.get_by_test_id("result-count")).to_have_text("Showing 1 to 1 of 1 lot")
    page.fill("#spec-width-gte", "1.6 m")
    page.press("#spec-width-gte", "Enter")
    expect(page.get_by_test_id("result-count")).to_contain_text("No lots match")
    expect(card).to_have_count(0)
    assert page.evaluate("window.__notReloaded") is True  # the results changed in place, without a page load

    page.get_by_test_id("grade-facets").get_by_role("link", name="B — minor defects").click()
    expect(page.get_by_test_id("grade-facets").locator(".facet.active")).to_contain_text("B")
    page.fill("#spec-width-gte", "1400 mm")
    page.press("#spec-width-gte", "Enter")
    expect(card).to_have_count(1)
    card.get_by_role("link").first.click()
    expect(page.get_by_test_id("lot-defects")).to_contain_text("Shade variation")
