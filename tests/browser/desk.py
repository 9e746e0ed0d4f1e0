"""Lots for the brokers' desk browser tests, posted through the API."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from tests.browser.accounts import Account
from tests.support.catalogue import body

__all__ = ["fabric_request", "live_fabric"]


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


def fabric_request(base: str, broker: Account, client: Account, requirements: dict[str, Any], region: str) -> int:
    """A broker's welfare request for `client`: 3000 m of fabric at 10.00 a metre at most, due in 20 days."""
    made = httpx.post(
        f"{base}/api/procurement-requests",
        json={
            "client_org_id": client.org_id,
            "purpose": "welfare",
            "quantity": {"value": 3000, "unit": "m"},
            "budget_per_unit": {"max": "10.00"},
            "currency": "CNY",
            "categories": ["textiles/fabric"],
            "requirement_groups": [requirements],
            "deliver_by": (date.today() + timedelta(days=20)).isoformat(),
            "region": region,
        },
        headers=broker.headers,
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])
