"""Lots for the brokers' desk browser tests, posted through the API."""

from __future__ import annotations

import httpx

from tests.browser.accounts import Account
from tests.support.catalogue import body

__all__ = ["live_fabric"]


def live_fabric(base: str, seller: Account, colour: str, metres: int, price: str, *, title_tail: str = "") -> int:
    """A live fixed-price lot of `metres` of twill of `colour` (no other test's request matches it)."""
    lot = body(
        title=f"{metres} m cotton twill {colour}{title_tail}",
        specs__colour=colour,
        specs__length=f"{metres} m",
        quantity={"value": metres, "unit": "m"},
        sale={"mode": "fixed_price", "price": price, "rfq_enabled": False},
    )
    draft = httpx.post(f"{base}/api/lots", json=lot, headers=seller.headers)
    assert draft.status_code == 201, draft.text
    published = httpx.post(f"{base}/api/lots/{draft.json()['id']}/publish", headers=seller.headers)
    assert published.json()["status"] == "live", published.text
    return int(draft.json()["id"])
