"""Lenient input is refused before it is published: blank or control-character titles, unknown or absurd
quantity units, money spelled any way but plain digits, countries that do not exist. Each is a 422
naming the field (API) or the form's message with the input kept (pages), and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from exchange.settings import Settings
from tests.conftest import OrgFactory
from tests.integration.lots.test_pages import FABRIC_FORM, _csrf, signed_in
from tests.support.catalogue import body, post_lot

REFUSED: list[tuple[str, dict[str, Any]]] = [
    ("title", body(title="     ")),
    ("title", body(title="\u200b\u200b\u200b\u200b")),
    ("title", body(title="\u200b \ufeff \u2060")),
    ("title", body(title="\x00\x00\x00")),
    ("title", body(title="Cotton\x00twill")),
    ("quantity.unit", body(quantity={"value": 5000, "unit": "parsec"})),
    ("quantity.unit", body(quantity={"value": 5000, "unit": "📦"})),
    ("quantity.unit", body(quantity={"value": 5000, "unit": "light_year"})),
    ("quantity.unit", body(quantity={"value": 5000, "unit": "s"})),
    ("sale.price", body(sale={"mode": "fixed_price", "price": "1_000"})),
    ("sale.price", body(sale={"mode": "fixed_price", "price": "\uff17\uff10\uff10\uff10"})),
    ("sale.price", body(sale={"mode": "fixed_price", "price": "\u0663\u0663\u0663"})),
    ("sale.price", body(sale={"mode": "fixed_price", "price": "+5"})),
    ("sale.price", body(sale={"mode": "fixed_price", "price": "1E+5"})),
    ("reference_price", body(reference_price="1e3")),
    ("location.country", body(location={"city": "Suzhou", "region": "Jiangsu", "country": "ZZ"})),
    ("location.country", body(location={"city": "Suzhou", "region": "Jiangsu", "country": "XX"})),
    ("description", body(description="Rolls of 100 m\x00")),
]


@pytest.mark.parametrize(("field", "lot_body"), REFUSED, ids=[f"{f}:{i}" for i, (f, _b) in enumerate(REFUSED)])
async def test_lenient_lot_input_is_a_422_naming_the_field(
    client: AsyncTestClient[Litestar], make_org: OrgFactory, field: str, lot_body: dict[str, Any]
) -> None:
    seller = await make_org("seller")
    answer = await client.post("/api/lots", json=lot_body, headers=seller.headers)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["field"] == field, answer.json()
    mine = await client.get("/api/seller/lots", headers=seller.headers)
    assert mine.json()["items"] == []  # nothing was written


async def test_editing_a_draft_is_held_to_the_same_rules(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    lot = await post_lot(client, seller, body())
    for field, change in [
        ("title", {"title": "\u200b\u200b\u200b"}),
        ("quantity.unit", {"quantity": {"value": 10, "unit": "parsec"}}),
        ("location.country", {"location": {"country": "ZZ"}}),
        ("reference_price", {"reference_price": "+5"}),
    ]:
        answer = await client.patch(f"/api/lots/{lot['id']}", json=change, headers=seller.headers)
        assert (answer.status_code, answer.json()["field"]) == (422, field), answer.text
    unchanged = await client.get(f"/api/lots/{lot['id']}", headers=seller.headers)
    assert unchanged.json()["title"] == lot["title"]


@pytest.mark.parametrize(
    "unit", ["pcs", "pc", "pieces", "pairs", "sets", "boxes", "rolls", "cartons", "pallets", "bags", "kg", "t",
             "m", "m2", "m³", "L", "drums", "tins", "packs", "bottles"]
)  # fmt: skip
async def test_common_trade_units_are_accepted(
    client: AsyncTestClient[Litestar], make_org: OrgFactory, unit: str
) -> None:
    seller = await make_org("seller")
    lot = await post_lot(client, seller, body(quantity={"value": 12, "unit": f" {unit} "}))
    assert lot["quantity"]["unit"] == unit


async def test_search_filters_refuse_an_unknown_country_and_non_ascii_prices(
    client: AsyncTestClient[Litestar],
) -> None:
    for params, field in [
        ({"country": "ZZ"}, "country"),
        ({"price_min": "\uff17\uff10\uff10\uff10"}, "price_min"),
        ({"price_max": "1_000"}, "price_max"),
    ]:
        answer = await client.get("/api/lots", params=params)
        assert (answer.status_code, answer.json()["field"]) == (422, field), answer.text
    assert (await client.get("/api/lots", params={"country": "cn"})).status_code == 200


async def test_a_wanted_request_needs_a_visible_title_and_a_quantity_unit_goods_are_sold_in(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    buyer = await make_org("buyer")
    base = {"title": "Navy twill wanted", "category": "textiles/fabric", "deadline": "2099-01-01"}
    for field, wanted in [
        ("title", {**base, "title": "\u200b\u200b\u200b", "quantity": {"value": 10, "unit": "m"}}),
        ("quantity.unit", {**base, "quantity": {"value": 10, "unit": "parsec"}}),
        ("quantity.unit", {**base, "quantity": {"value": 10, "unit": "📦"}}),
        ("budget", {**base, "quantity": {"value": 10, "unit": "m"}, "budget": "\u0663\u0663\u0663"}),
    ]:
        answer = await client.post("/api/wanted", json=wanted, headers=buyer.headers)
        assert (answer.status_code, answer.json()["field"]) == (422, field), answer.text
    ok = await client.post(
        "/api/wanted", json={**base, "quantity": {"value": 10, "unit": "rolls"}}, headers=buyer.headers
    )
    assert ok.status_code == 201, ok.text


async def test_the_lot_form_shows_each_refusal_and_keeps_what_was_typed(
    settings: Settings, make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    async with signed_in(settings, seller.email) as browser:
        token = _csrf((await browser.get("/lots/new")).text)
        for change, kept, message in [
            ({"title": "\u200b\u200b\u200b\u200b"}, "", "needs visible text"),
            ({"quantity_unit": "parsec"}, 'value="parsec"', "parsec"),
            ({"price": "\uff17\uff10\uff10\uff10"}, 'value="\uff17\uff10\uff10\uff10"', "plain digits"),
            ({"country": "ZZ"}, 'value="ZZ"', "not a country code"),
        ]:
            answer = await browser.post("/lots/new", data={**FABRIC_FORM, **change, "_csrf_token": token})
            assert answer.status_code == 422, (change, answer.status_code)
            assert message in answer.text, change
            assert kept in answer.text, change
            assert 'value="3200 m polycotton poplin"' in answer.text or "title" in change
