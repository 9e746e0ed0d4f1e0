"""Crafted JSON (nesting thousands of levels deep, integers hundreds of digits long) gets a 400/422
problem+json naming what is wrong, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import Actor, OrgFactory
from tests.support.catalogue import FABRIC, body, post_lot

PROBLEM = "application/problem+json"
HUGE = "9" * 401


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


async def _send(client: AsyncTestClient[Litestar], method: str, url: str, raw: bytes, actor: Actor | None) -> Any:
    headers = {"Content-Type": "application/json", **(actor.headers if actor else {})}
    return await client.request(method, url, content=raw, headers=headers)


@pytest.mark.parametrize("depth", [1_000, 5_000, 100_000])
async def test_deeply_nested_bodies_are_a_400_on_every_kind_of_json_route(
    client: AsyncTestClient[Litestar], make_org: OrgFactory, depth: int
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    lot = await post_lot(client, seller, body())
    deep = nested(depth)
    in_a_field = b'{"title": "x", "specs": {"width": ' + deep + b"}}"
    calls = [
        ("POST", "/api/auth/token", deep, None),
        ("POST", "/api/lots", deep, seller),
        ("POST", "/api/lots", in_a_field, seller),
        ("PATCH", f"/api/lots/{lot['id']}", in_a_field, seller),
        ("POST", f"/api/lots/{lot['id']}/bids", deep, buyer),
        ("POST", "/api/wanted", deep, buyer),
    ]
    for method, url, raw, actor in calls:
        answer = await _send(client, method, url, raw, actor)
        assert answer.status_code == 400, (method, url, answer.status_code, answer.text[:300])
        assert answer.headers["content-type"].startswith(PROBLEM)
        assert "nested" in answer.json()["detail"]


async def test_nesting_just_below_the_decoder_limit_inside_a_spec_is_a_422_naming_it(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    lot = await post_lot(client, seller, body())
    raw = json.dumps(body(specs__width=None)).replace("null", (nested(900)).decode())
    for method, url in (("POST", "/api/lots"), ("PATCH", f"/api/lots/{lot['id']}")):
        answer = await _send(client, method, url, raw.encode(), seller)
        assert answer.status_code in (400, 422), (method, answer.status_code, answer.text[:300])
        assert answer.headers["content-type"].startswith(PROBLEM)


async def test_a_401_digit_number_is_a_422_naming_its_field(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    cases: list[tuple[str, dict[str, Any]]] = [
        ("specs.width", body(specs__width=int(HUGE))),
        ("specs.width", body(specs__width=HUGE)),
        ("specs.width", body(specs__width=1e308)),
        ("quantity.value", body(quantity={"value": int(HUGE), "unit": "m"})),
        ("sale.price", body(sale={"mode": "fixed_price", "price": int(HUGE)})),
        ("sale.price", body(sale={"mode": "fixed_price", "price": HUGE})),
        ("reference_price", body(reference_price=int(HUGE))),
    ]
    for field, lot_body in cases:
        answer = await client.post("/api/lots", json=lot_body, headers=seller.headers)
        assert answer.status_code in (400, 422), (field, answer.status_code, answer.text[:300])
        assert answer.headers["content-type"].startswith(PROBLEM)
        assert answer.json().get("field") == field, (field, answer.json())
    assert FABRIC["specs"]["width"] == "1.5 m"  # the shared body was not changed


async def test_huge_numbers_in_search_filters_are_a_422_naming_the_filter(
    client: AsyncTestClient[Litestar],
) -> None:
    for name in ("price_min", "price_max", "spec.width.gte", "spec.width.lte"):
        answer = await client.get("/api/lots", params={"category": "textiles/fabric", name: HUGE})
        assert answer.status_code in (400, 422), (name, answer.status_code, answer.text[:300])
        assert answer.headers["content-type"].startswith(PROBLEM)
        assert answer.json().get("field") == name, answer.json()
    bid = await client.get("/api/lots", params={"price_min": "1e999999"})
    assert bid.status_code == 422


async def test_huge_numbers_in_a_wanted_request_are_a_4xx_naming_the_field(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    buyer = await make_org("buyer")
    base = {"title": "Navy twill wanted", "category": "textiles/fabric", "deadline": "2099-01-01"}
    cases: list[tuple[str, dict[str, Any]]] = [
        ("quantity.value", {**base, "quantity": {"value": int(HUGE), "unit": "m"}}),
        ("quantity.value", {**base, "quantity": {"value": HUGE, "unit": "m"}}),
        ("budget", {**base, "quantity": {"value": 10, "unit": "m"}, "budget": int(HUGE)}),
        ("spec", {**base, "quantity": {"value": 10, "unit": "m"}, "specs": [{"key": "width", "value": int(HUGE)}]}),
    ]
    for field, wanted in cases:
        answer = await client.post("/api/wanted", json=wanted, headers=buyer.headers)
        assert answer.status_code in (400, 422), (field, answer.status_code, answer.text[:300])
        assert answer.headers["content-type"].startswith(PROBLEM)
        assert field in (answer.json().get("field") or ""), (field, answer.json())
