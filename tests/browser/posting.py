"""Posting a cotton fabric lot through the stepped lot form, as a seller does (JavaScript on: one step shows
at a time and Next moves on)."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

__all__ = ["fill_fabric_lot", "next_step"]


def next_step(page: Page) -> None:
    page.get_by_test_id("step-next").click()


def fill_fabric_lot(
    page: Page,
    title: str,
    *,
    colour: str = "white",
    grade: str = "A",
    defects: str = "",
    price: str = "40000.00",
    min_bid: str | None = None,
    on_each_step: Callable[[], None] = lambda: None,
) -> None:
    """Steps 1 to 5 of the lot form (what it is, specs, condition, files, how it sells), leaving the seller on
    step 6 (who sees it). A `min_bid` makes it a sealed-bid lot; `on_each_step` runs on every step shown."""
    page.fill("#title", title)
    page.select_option("#category", "textiles/fabric")
    page.fill("#quantity_value", "5000")
    page.fill("#quantity_unit", "m")
    page.fill("#city", "Suzhou")
    on_each_step()
    next_step(page)
    expect(page.locator("#spec-width")).to_be_visible()  # the category's labelled spec fields, over HTMX
    expect(page.locator("#title")).to_be_hidden()
    page.select_option("#spec-fibre", "cotton")
    page.fill("#spec-width", "1.5 m")
    page.fill("#spec-weight", "180 g/m2")
    page.fill("#spec-colour", colour)
    on_each_step()
    next_step(page)
    page.locator(f"input[name='grade'][value='{grade}']").check()
    if defects:
        page.fill("#defects", defects)
    on_each_step()
    next_step(page)
    on_each_step()  # photos and documents come on the draft's page
    next_step(page)
    if min_bid is None:
        page.locator("input[name='sale_mode'][value='fixed_price']").check()
        expect(page.locator("#min_bid")).to_be_hidden()
        page.fill("#price", price)
    else:
        page.locator("input[name='sale_mode'][value='sealed_bid']").check()
        expect(page.locator("#price")).to_be_hidden()  # only the chosen sale mode's fields show
        page.fill("#min_bid", min_bid)
    on_each_step()
    next_step(page)
