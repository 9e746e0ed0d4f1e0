"""Browsing lots by keyboard alone and on a phone: the skip link comes first, focus is always visible, the
category list steps with the arrow keys and acts on Enter or when left, and on a phone the filters wait
behind a "Filters" button that works without JavaScript."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.screens import fits

# Where the keyboard is: the focused element draws an outline or a focus ring (box-shadow).
FOCUS_SHOWN = """() => {
    const e = document.activeElement, style = getComputedStyle(e);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    return [e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + (e.textContent || '').trim().slice(0, 30),
            outline || style.boxShadow !== 'none'];
}"""


def test_by_keyboard_the_skip_link_comes_first_focus_shows_and_the_category_list_acts_on_enter(
    live_server: str, browser_page: Page
) -> None:
    page = browser_page
    page.goto(f"{live_server}/lots")
    page.evaluate("window.__notReloaded = true")

    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    unseen = []
    for _ in range(12):  # the header, then the filters: every stop shows where the keyboard is
        name, shown = page.evaluate(FOCUS_SHOWN)
        if not shown:
            unseen.append(name)
        page.keyboard.press("Tab")
    assert not unseen, f"focus is not visible on: {unseen}"

    page.focus("#category")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # stepping through the list sends nothing yet
    expect(page.locator("#category")).to_have_value("textiles/fabric")
    assert page.evaluate("document.querySelector('#filters').classList.contains('htmx-request')") is False
    expect(page).to_have_url(f"{live_server}/lots")

    page.keyboard.press("Enter")  # Enter takes the choice: the results change in place
    expect(page).to_have_url(re.compile(r"/lots\?.*category=textiles%2Ffabric"))
    expect(page.get_by_test_id("spec-filters")).to_be_visible()

    page.focus("#sort")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")  # leaving the list takes the choice too
    expect(page).to_have_url(re.compile(r"/lots\?.*sort="))
    assert page.evaluate("window.__notReloaded") is True, "the page reloaded instead of changing in place"

    page.goto(f"{live_server}/lots")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the skip link puts the keyboard at the page's own content
    expect(page.locator("main")).to_be_focused()


def test_on_a_phone_without_javascript_the_filters_open_from_a_button_and_search(
    live_server: str, browser: Browser
) -> None:
    phone = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    wide = browser.new_context(viewport={"width": 1440, "height": 900}, java_script_enabled=False)
    try:
        page = phone.new_page()
        page.goto(f"{live_server}/lots")
        expect(page.locator("#filters")).to_be_hidden()
        expect(page.get_by_test_id("result-count")).to_be_in_viewport()  # the results, not the filters, come first
        page.get_by_test_id("filters-button").click()
        expect(page.locator("#filters")).to_be_visible()
        page.fill("#q", "nothing-like-this")
        page.press("#q", "Enter")
        expect(page).to_have_url(re.compile(r"/lots\?q=nothing-like-this"))
        expect(page.get_by_test_id("result-count")).to_contain_text("No lots match")
        fits(page)

        page = wide.new_page()
        page.goto(f"{live_server}/lots")
        expect(page.locator("#filters")).to_be_visible()
        expect(page.get_by_test_id("filters-button")).to_be_hidden()
    finally:
        phone.close()
        wide.close()
