"""Search follows a lot through the changes a seller and a buyer make: a draft's specs and category edited, the
lot published, bought (sold) and another withdrawn. The number spec columns the search reads are rewritten
with the lot; status lives on the lot itself."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import OrgFactory
from tests.support.catalogue import POWER_BANK, body, post_lot, publish, unique_place


async def _found(
    client: AsyncTestClient[Litestar], place: str, query: str, headers: dict[str, str] | None = None
) -> list[int]:
    response = await client.get(f"/api/lots?location={place}&{query}", headers=headers)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == len(page["items"])
    return [lot["id"] for lot in page["items"]]


async def test_an_edited_draft_is_found_by_its_new_specs_and_category_only(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    place = unique_place()
    lot_id = (await post_lot(client, seller, body(city=place, specs__width="150 cm")))["id"]
    narrower = await client.patch(f"/api/lots/{lot_id}", json={"specs": {**body()["specs"], "width": "1.1 m"}},
                                  headers=seller.headers)  # fmt: skip
    assert narrower.status_code == 200, narrower.text
    await publish(client, seller, lot_id)
    assert await _found(client, place, "spec.width.gte=140cm") == []
    assert await _found(client, place, "spec.width.lte=120cm") == [lot_id]

    other = (await post_lot(client, seller, body(city=place)))["id"]
    power_bank = {key: POWER_BANK[key] for key in ("category", "specs", "title")}
    changed = await client.patch(f"/api/lots/{other}", json=power_bank, headers=seller.headers)
    assert changed.status_code == 200, changed.text
    await publish(client, seller, other)  # power banks (batteries) wait for review: the seller sees them
    mine = "status=live,in_review"
    assert await _found(client, place, f"{mine}&spec.width.gte=1cm", seller.headers) == [lot_id]
    assert await _found(client, place, f"{mine}&category=electronics&spec.capacity.gte=9 Ah", seller.headers) == [other]
    assert await _found(client, place, f"{mine}&spec.capacity.gte=11 Ah", seller.headers) == []


async def test_a_sold_lot_and_a_withdrawn_lot_leave_the_search_and_are_found_by_their_status(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    place = unique_place()
    sold = int((await publish(client, seller, (await post_lot(client, seller, body(city=place)))["id"]))["id"])
    withdrawn = int((await publish(client, seller, (await post_lot(client, seller, body(city=place)))["id"]))["id"])
    assert sorted(await _found(client, place, "spec.width.gte=140cm")) == sorted([sold, withdrawn])

    bought = await client.post(f"/api/lots/{sold}/purchase", headers=buyer.headers)
    assert bought.status_code == 201, bought.text
    taken_off = await client.post(f"/api/lots/{withdrawn}/withdraw", headers=seller.headers)
    assert taken_off.status_code == 200, taken_off.text

    assert await _found(client, place, "spec.width.gte=140cm") == []
    assert await _found(client, place, "spec.width.gte=140cm&status=sold") == [sold]
    assert await _found(client, place, "spec.width.gte=140cm&status=withdrawn") == [withdrawn]


async def test_a_word_searched_within_a_category_follows_the_drafts_new_category(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    place = unique_place()
    lot_id = (await post_lot(client, seller, body(city=place, title="5000 m cotton twill, overrun")))["id"]
    moved = {"category": POWER_BANK["category"], "specs": POWER_BANK["specs"]}
    changed = await client.patch(f"/api/lots/{lot_id}", json=moved, headers=seller.headers)
    assert changed.status_code == 200, changed.text
    await publish(client, seller, lot_id)
    mine = "status=live,in_review"
    assert await _found(client, place, f"{mine}&q=twill&category=electronics", seller.headers) == [lot_id]
    assert await _found(client, place, f"{mine}&q=twi&category=electronics/power-bank", seller.headers) == [lot_id]
    assert await _found(client, place, f"{mine}&q=twill&category=textiles", seller.headers) == []
