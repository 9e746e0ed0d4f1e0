"""The seller's dashboard figures on each of the four screens: every amount ("110,750.00 CNY", "¥110,750.00")
stands on one line, its number never broken, and the page does not scroll sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.accounts import Account, register_verified, sign_in
from tests.browser.orders import api_step, bought_lot
from tests.browser.screens import Screen, fits

# Each amount: the lines it takes (its boxes' distinct bottoms), the boxes of its number (one unless broken),
# its width and the width of its figure tile.
_AMOUNTS = """() => [...document.querySelectorAll('[data-testid=figures] [data-testid=amount]')].map(a => ({
    text: a.innerText,
    lines: new Set([...a.getClientRects()].map(r => Math.round(r.bottom))).size,
    number_boxes: a.firstElementChild.getClientRects().length,
    width: a.getBoundingClientRect().width, tile: a.closest('.kpi').clientWidth,
}))"""


@pytest.fixture(scope="module")
def seller(live_server: str, admin_credentials: tuple[str, str]) -> Account:
    """A seller with six-figure sales this month, one of them paid into escrow."""
    seller = register_verified(live_server, "seller", admin_credentials, "江苏恒力纺织")
    buyer = register_verified(live_server, "buyer", admin_credentials, "杭州制服厂")
    paid = bought_lot(live_server, seller, buyer, price="110750.00", title="五千米藏青斜纹布")
    api_step(live_server, paid, "pay", buyer)
    bought_lot(live_server, seller, buyer, price="98500.00", title="三千米全棉斜纹布")
    return seller


def test_each_dashboard_figure_sits_on_one_line(screen: Screen, live_server: str, seller: Account) -> None:
    page = screen.open()
    sign_in(page, live_server, seller.email)
    expect(page.get_by_test_id("figure-sold_this_month")).to_contain_text(screen.says("209,250.00 CNY", "¥209,250.00"))
    expect(page.get_by_test_id("figure-in_escrow")).to_contain_text(screen.says("110,750.00 CNY", "¥110,750.00"))
    amounts = page.evaluate(_AMOUNTS)
    assert len(amounts) >= 2, amounts
    for amount in amounts:
        assert amount["number_boxes"] == 1, f"the number of {amount['text']!r} breaks: {amount}"
        assert amount["lines"] == 1, f"{amount['text']!r} wraps at {screen.width} px: {amount}"
        assert amount["width"] <= amount["tile"], f"{amount['text']!r} is wider than its tile: {amount}"
    fits(page)
