"""Browser tests' orders: a fixed-price lot bought through the API, and the steps the tests do not click."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from playwright.sync_api import Page

from tests.browser.accounts import Account
from tests.support.catalogue import FABRIC

__all__ = ["api_step", "bought_lot", "tab_to"]


def bought_lot(
    base: str, seller: Account, buyer: Account, price: str = "40000.00", title: str = "5000 m cotton twill"
) -> int:
    """The seller posts and publishes a fixed-price fabric lot; the buyer buys it. The order's id."""
    lot = {**FABRIC, "title": f"{title} {uuid.uuid4().hex[:6]}", "sale": {**FABRIC["sale"], "price": price}}
    draft = httpx.post(f"{base}/api/lots", json=lot, headers=seller.headers)
    assert draft.status_code == 201, draft.text
    lot_id = draft.json()["id"]
    published = httpx.post(f"{base}/api/lots/{lot_id}/publish", headers=seller.headers)
    assert published.json()["status"] == "live", published.text
    bought = httpx.post(f"{base}/api/lots/{lot_id}/purchase", headers=buyer.headers)
    assert bought.status_code == 201, bought.text
    return int(bought.json()["id"])


def api_step(base: str, order_id: int, action: str, who: Account, body: dict[str, Any] | None = None) -> None:
    answer = httpx.post(f"{base}/api/orders/{order_id}/{action}", json=body, headers=who.headers)
    assert answer.status_code == 200, answer.text
    if action == "pay":
        how = answer.json()["instructions"]
        confirmed = httpx.post(f"{base}{how['path']}", json=how["body"], headers=how["headers"])
        assert confirmed.status_code == 200, confirmed.text


def tab_to(page: Page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused element is the button or link called `name` (fails if it never is)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement && document.activeElement.textContent.trim()")
        if focused == name:
            return
    raise AssertionError(f"{name!r} is not reachable with the keyboard")
