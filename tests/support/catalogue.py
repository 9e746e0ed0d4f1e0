"""Test-only: lot bodies for the catalogue API, and posting them through it."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import Actor

__all__ = ["FABRIC", "POWER_BANK", "body", "post_lot", "publish", "unique_place"]

FABRIC: dict[str, Any] = {
    "title": "5000 m cotton twill, 150 cm wide",
    "description": "Export order overrun, shade lot 3; rolls of 100 m.",
    "category": "textiles/fabric",
    "specs": {"fibre": "cotton", "width": "1.5 m", "weight": "180 g/m2", "colour": "navy blue", "length": "5000 m"},
    "quantity": {"value": 5000, "unit": "m"},
    "grade": "A",
    "source": "overrun",
    "reference_price": "12.50",
    "currency": "CNY",
    "location": {"city": "Suzhou", "region": "Jiangsu", "country": "CN"},
    "sale": {"mode": "fixed_price", "price": "40000.00", "rfq_enabled": True},
    "visibility": "public",
}

POWER_BANK: dict[str, Any] = {
    "title": "1000 power banks 10000 mAh, 22.5 W",
    "description": "Cancelled retail order, boxed.",
    "category": "electronics/power-bank",
    "specs": {"capacity": "10000 mAh", "output": "22.5 W", "chemistry": "li-polymer"},
    "quantity": {"value": 1000, "unit": "pcs"},
    "grade": "A",
    "source": "overrun",
    "location": {"city": "Ningbo", "region": "Zhejiang", "country": "CN"},
    "sale": {"mode": "sealed_bid", "reserve_price": "30000.00", "min_bid": "20000.00", "rfq_enabled": True},
}


def unique_place() -> str:
    """A city name no other test uses, to keep search results to one test's lots."""
    return "Town" + uuid.uuid4().hex[:10]


def body(base: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    """A copy of `base` (the fabric lot by default) with top-level fields changed; `specs__x=` changes one spec."""
    result = copy.deepcopy(base or FABRIC)
    for key, value in changes.items():
        if key.startswith("specs__"):
            result["specs"][key.removeprefix("specs__")] = value
        elif key.startswith("sale__"):
            result["sale"][key.removeprefix("sale__")] = value
        elif key == "city":
            result["location"] = {**result.get("location", {}), "city": value}
        else:
            result[key] = value
    return result


async def post_lot(client: AsyncTestClient[Litestar], seller: Actor, lot_body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/api/lots", json=lot_body, headers=seller.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def publish(client: AsyncTestClient[Litestar], seller: Actor, lot_id: int) -> dict[str, Any]:
    response = await client.post(f"/api/lots/{lot_id}/publish", headers=seller.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())
