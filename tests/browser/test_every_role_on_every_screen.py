"""A sweep over the main pages of each role, on each of the four screens (English and Chinese, 1440 and
390 px): no page scrolls sideways, a Chinese page shows its own words in Chinese, the first Tab reaches the
skip link, and axe-core finds nothing serious or critical.

The axe scan costs more than the rest of a page's checks together, so it runs on two of the four screens
that between them cover both languages and both layouts."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.accounts import Account, register_verified, sign_in
from tests.browser.desk import fabric_request
from tests.browser.orders import bought_lot
from tests.browser.screens import Screen, axe_violations, fits, untranslated
from tests.support.catalogue import FABRIC, body

AXE_SCREENS = {("en", 1440), ("zh", 390)}


@dataclass(frozen=True)
class World:
    """One set of people and things every role's pages are looked at with (names in Chinese, so English
    words on a Chinese page are the page's own)."""

    seller: Account
    buyer: Account
    broker: Account
    lot_for_sale: int
    lot_with_bids: int
    order: int
    request: int


@pytest.fixture(scope="module")
def world(live_server: str, admin_credentials: tuple[str, str]) -> World:
    seller = register_verified(live_server, "seller", admin_credentials, "江苏恒力纺织")
    buyer = register_verified(live_server, "buyer", admin_credentials, "杭州制服厂")
    broker = register_verified(live_server, "broker", admin_credentials, "浦东礼品经纪")
    for_sale = _live_lot(live_server, seller, title="五千米全棉斜纹布", sale={**FABRIC["sale"], "price": "40000.00"})
    sealed = _live_lot(
        live_server,
        seller,
        title="三千米全棉斜纹布 密封竞价",
        sale={"mode": "sealed_bid", "reserve_price": "30000.00", "min_bid": "20000.00", "rfq_enabled": True},
    )
    bid = httpx.post(f"{live_server}/api/lots/{sealed}/bids", json={"amount": "31500.00"}, headers=buyer.headers)
    assert bid.status_code == 201, bid.text
    order = bought_lot(live_server, seller, buyer, title="五千米藏青斜纹布")
    request = fabric_request(live_server, broker, buyer, {"width": {"gte": "140 cm"}}, region="江苏")
    return World(seller, buyer, broker, for_sale, sealed, order, request)


def _live_lot(base: str, seller: Account, **changes: object) -> int:
    lot = body(description="出口订单余量 每卷一百米", city="苏州", specs__colour="藏青", **changes)
    lot["location"]["region"] = "江苏"
    draft = httpx.post(f"{base}/api/lots", json=lot, headers=seller.headers)
    assert draft.status_code == 201, draft.text
    published = httpx.post(f"{base}/api/lots/{draft.json()['id']}/publish", headers=seller.headers)
    assert published.json()["status"] == "live", published.text
    return int(draft.json()["id"])


def _sweep(page: Page, screen: Screen, base: str, urls: list[str]) -> None:
    """Every page: fits the screen, in the screen's language, reachable by keyboard from the skip link, axe clean.
    All problems of all pages are reported together."""
    problems: list[str] = []
    for url in urls:
        page.goto(f"{base}{url}")
        expect(page.locator("h1").first).to_be_visible()
        try:
            fits(page)
        except AssertionError as error:
            problems.append(str(error))
        if screen.chinese:
            expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
            problems += [f"{url} untranslated: {text}" for text in untranslated(page)]
        page.keyboard.press("Tab")
        if not page.evaluate("document.activeElement.classList.contains('skip-link')"):
            problems.append(f"{url}: the first Tab does not reach the skip link")
        if (screen.language, screen.width) in AXE_SCREENS:
            problems += [f"{url} axe: {violation}" for violation in axe_violations(page)]
    assert not problems, "\n".join(problems)


def test_the_public_pages(screen: Screen, live_server: str, world: World) -> None:
    page = screen.open()
    pages = ["/", "/lots", f"/lots/{world.lot_for_sale}", f"/sellers/{world.seller.org_id}", "/login", "/register"]
    _sweep(page, screen, live_server, pages)


def test_the_buyers_pages(screen: Screen, live_server: str, world: World) -> None:
    page = screen.open()
    sign_in(page, live_server, world.buyer.email)
    pages = ["/dashboard", "/bids", f"/orders/{world.order}", "/notifications", f"/lots/{world.lot_with_bids}/sale"]
    _sweep(page, screen, live_server, pages)


def test_the_sellers_pages(screen: Screen, live_server: str, world: World) -> None:
    page = screen.open()
    sign_in(page, live_server, world.seller.email)
    pages = ["/dashboard", "/lots/new", f"/lots/{world.lot_with_bids}", "/seller/lots", f"/orders/{world.order}"]
    _sweep(page, screen, live_server, pages)


def test_the_brokers_pages(screen: Screen, live_server: str, world: World) -> None:
    page = screen.open()
    sign_in(page, live_server, world.broker.email)
    request = f"/desk/requests/{world.request}"
    _sweep(page, screen, live_server, ["/dashboard", "/desk", "/desk/requests/new", request, f"{request}/bundles"])


def test_the_admins_pages(screen: Screen, live_server: str, admin_credentials: tuple[str, str], world: World) -> None:
    page = screen.open()
    sign_in(page, live_server, *admin_credentials)
    _sweep(page, screen, live_server, ["/dashboard", "/admin/orgs", f"/admin/orgs/{world.buyer.org_id}", "/orders"])
