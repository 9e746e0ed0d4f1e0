from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import Actor, OrgFactory
from tests.support.catalogue import body, post_lot, publish, unique_place


async def _live(client: AsyncTestClient[Litestar], seller: Actor, lot_body: dict[str, object]) -> int:
    return int((await publish(client, seller, (await post_lot(client, seller, lot_body))["id"]))["id"])


async def _ids(client: AsyncTestClient[Litestar], query: str) -> list[int]:
    response = await client.get(f"/api/lots?{query}")
    assert response.status_code == 200, response.text
    return [lot["id"] for lot in response.json()["items"]]


async def test_widths_in_metres_centimetres_or_millimetres_are_the_same_width_to_filters(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    place = unique_place()
    in_m = await _live(client, seller, body(city=place, specs__width="1.5 m"))
    in_cm = await _live(client, seller, body(city=place, specs__width="150cm"))
    in_mm = await _live(client, seller, body(city=place, specs__width="1500 mm"))
    narrow = await _live(client, seller, body(city=place, specs__width=110))
    all_150 = {in_m, in_cm, in_mm}

    for query in ("spec.width.gte=140cm", "spec.width.gte=1.4m", "spec.width.gte=1400mm", "spec.width.gte=140"):
        assert set(await _ids(client, f"location={place}&category=textiles/fabric&{query}")) == all_150, query
    for query in ("spec.width=150cm", "spec.width=1.5 m", "spec.width=1500mm"):
        assert set(await _ids(client, f"location={place}&{query}")) == all_150, query
    assert set(await _ids(client, f"location={place}&spec.width.lte=1.2m")) == {narrow}
    assert set(await _ids(client, f"location={place}&spec.width.gte=100cm&spec.width.lte=1490mm")) == {narrow}
    assert set(await _ids(client, f"location={place}&spec.weight.gte=0.15 kg/m**2&spec.fibre=COTTON")) == {
        *all_150,
        narrow,
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("spec.width.gte=3kg", "spec.width.gte"),
        ("spec.width.gte=lots", "spec.width.gte"),
        ("spec.sheen=glossy", "spec.sheen"),
        ("category=textiles/fabric&spec.capacity.gte=1000mAh", "spec.capacity.gte"),
        ("spec.fibre.gte=cotton", "spec.fibre.gte"),
        ("spec.width.between=1", "spec.width.between"),
        ("spec.width.gte=140", "spec.width.gte"),
        ("grade=Z", "grade"),
        ("category=moon", "category"),
        ("sort=random", "sort"),
        ("limit=1000", "limit"),
        ("price_min=abc", "price_min"),
    ],
)
async def test_filters_that_cannot_be_understood_are_422s_naming_the_parameter(
    client: AsyncTestClient[Litestar], query: str, field: str
) -> None:
    response = await client.get(f"/api/lots?{query}")
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


async def test_q_finds_lots_by_words_of_title_description_specs_and_word_beginnings(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    place = unique_place()
    twill = await _live(
        client, seller, body(city=place, title="Cotton twill for workwear", specs__colour="olive green")
    )
    linen = await _live(
        client, seller, body(city=place, title="Linen canvas", specs__fibre="linen", description="Stonewashed rolls")
    )

    assert await _ids(client, f"location={place}&q=twill") == [twill]
    assert await _ids(client, f"location={place}&q=TWILLS workwear") == [twill]
    assert await _ids(client, f"location={place}&q=olive") == [twill]
    assert await _ids(client, f"location={place}&q=stonewash") == [linen]
    assert set(await _ids(client, f"location={place}&q=fabric")) == {twill, linen}
    assert await _ids(client, f"location={place}&q=twill linen") == []
    assert await _ids(client, f"q={place}") == [linen, twill]


async def test_search_filters_by_category_tree_grade_mode_and_price_and_counts_facets(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    place = unique_place()
    fabric_a = await _live(client, seller, body(city=place, sale={"mode": "fixed_price", "price": "30000"}))
    fabric_b = await _live(
        client,
        seller,
        body(
            city=place, grade="B", defects="Some slubs and shade bands.", sale={"mode": "fixed_price", "price": "20000"}
        ),
    )
    yarn = await _live(
        client,
        seller,
        body(
            city=place,
            category="textiles/yarn",
            title="Cotton yarn Ne 30",
            specs={"fibre": "cotton", "yarn_count": "Ne 30/1"},
            quantity={"value": 8, "unit": "t"},
            sale={"mode": "sealed_bid", "min_bid": "50000", "rfq_enabled": True},
        ),
    )

    page = (await client.get(f"/api/lots?location={place}&category=textiles&grade=A")).json()
    assert {lot["id"] for lot in page["items"]} == {fabric_a, yarn}
    assert page["total"] == 2
    assert page["facets"]["grade"] == {"A": 2, "B": 1}
    assert page["facets"]["category"] == {"textiles": 2, "textiles/fabric": 1, "textiles/yarn": 1}

    assert await _ids(client, f"location={place}&category=textiles/fabric") == [fabric_b, fabric_a]
    assert await _ids(client, f"location={place}&mode=sealed_bid") == [yarn]
    assert await _ids(client, f"location={place}&price_min=25000&price_max=60000&sort=price_asc") == [fabric_a, yarn]
    assert await _ids(client, f"location={place}&sort=price_desc") == [yarn, fabric_a, fabric_b]


async def test_search_pages_through_results_with_a_next_link(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    place = unique_place()
    ids = [await _live(client, seller, body(city=place)) for _ in range(5)]

    first = (await client.get(f"/api/lots?location={place}&limit=2")).json()
    assert first["total"] == 5
    assert [lot["id"] for lot in first["items"]] == ids[::-1][:2]
    seen = [lot["id"] for lot in first["items"]]
    next_url = first["next"]
    while next_url:
        page = (await client.get(next_url)).json()
        seen += [lot["id"] for lot in page["items"]]
        next_url = page["next"]
    assert seen == ids[::-1]


async def test_drafts_are_not_in_search_but_closed_lots_can_be_asked_for_by_status(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    place = unique_place()
    draft = await post_lot(client, seller, body(city=place))
    live = await _live(client, seller, body(city=place))
    withdrawn = await _live(client, seller, body(city=place))
    await client.post(f"/api/lots/{withdrawn}/withdraw", headers=seller.headers)

    assert await _ids(client, f"location={place}") == [live]
    assert await _ids(client, f"location={place}&status=withdrawn") == [withdrawn]
    assert await _ids(client, f"location={place}&status=draft") == []
    own = await client.get(f"/api/lots?location={place}&status=draft", headers=seller.headers)
    assert [lot["id"] for lot in own.json()["items"]] == [draft["id"]]
