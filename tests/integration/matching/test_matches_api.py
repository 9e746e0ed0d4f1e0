"""Matches, near misses and bundles through the API, with the client's visibility (never the broker's)."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import OrgFactory
from tests.support.desk import GRADE_C, new_desk


async def test_matches_rank_explain_and_near_misses_say_by_how_much(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    desk = await new_desk(client, db, make_org)
    cheap = await desk.lot(metres=3200, price_minor=2_000_000, **GRADE_C)  # 6.25/m, close to the need
    good = await desk.lot(**GRADE_C)  # 8.00/m, 5000 m
    dear = await desk.lot(price_minor=5_600_000, **GRADE_C)  # 11.20/m: 12 % over the 10.00 budget
    narrow = await desk.lot(specs={"width": "120 cm"}, **GRADE_C)  # fails the width
    hidden = await desk.lot(
        visibility="private", invited_org_ids=[desk.broker.org_id], **GRADE_C
    )  # the broker's, not the client's
    shown = await desk.lot(visibility="private", invited_org_ids=[desk.buyer.org_id], **GRADE_C)
    request = await desk.request(grades=["C"])
    answer = await client.get(f"/api/procurement-requests/{request['id']}/matches", headers=desk.broker.headers)
    assert answer.status_code == 200, answer.text
    page = answer.json()
    ids = [m["lot"]["id"] for m in page["items"]]
    assert set(ids) == {cheap, good, shown}
    assert ids[0] == cheap, "cheaper and a closer quantity ranks first"
    for match in page["items"]:
        factors = [e for e in match["explanation"] if "factor" in e]
        assert round(sum(e["contribution"] for e in factors), 2) == match["score"]
        constraints = [e for e in match["explanation"] if "constraint" in e]
        assert all(e["passed"] for e in constraints)
    near = {n["lot"]["id"]: n["failed"] for n in page["near_misses"]}
    assert near[dear] == {"constraint": "price", "by": "11.20 CNY per m, 12 % over budget"}
    assert near[narrow]["constraint"] == "specs"
    assert "120 cm" in near[narrow]["by"]
    assert hidden not in ids
    assert hidden not in near
    # The broker's client does not read the matches: they hold the lots' prices, the broker's cost.
    assert (
        await client.get(f"/api/procurement-requests/{request['id']}/matches", headers=desk.buyer.headers)
    ).status_code == 404


async def test_bundles_cover_the_quantity_cheapest_first_within_the_seller_limit(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    desk = await new_desk(client, db, make_org)
    other_seller = await make_org("seller")
    a = await desk.lot(metres=2000, price_minor=1_400_000)  # 7.00/m
    b = await desk.lot(metres=1100, price_minor=880_000)  # 8.00/m: a + b = 3100 m, 3.3 % over
    c = await desk.lot(metres=1000, price_minor=500_000, seller=other_seller)  # 5.00/m, another seller
    too_big = await desk.lot(metres=9000, price_minor=6_300_000)  # over the 10 % overage on its own
    one_seller = await desk.request(quantity={"value": 3000, "unit": "m"}, max_sellers=1)
    answer = await client.get(f"/api/procurement-requests/{one_seller['id']}/bundles", headers=desk.broker.headers)
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert [sorted(lot["id"] for lot in bundle["lots"]) for bundle in items] == [sorted([a, b])]
    assert items[0]["total"] == "22800.00"
    assert items[0]["overage"] == "3.3 %"
    assert items[0]["sellers"] == [desk.seller.org_id]
    assert "proven optimal" in items[0]["why"]

    any_sellers = await desk.request(quantity={"value": 3000, "unit": "m"})
    items = (
        await client.get(f"/api/procurement-requests/{any_sellers['id']}/bundles", headers=desk.broker.headers)
    ).json()["items"]
    assert [sorted(lot["id"] for lot in bundle["lots"]) for bundle in items] == [sorted([a, c]), sorted([a, b])]
    assert [bundle["total"] for bundle in items] == ["19000.00", "22800.00"]
    assert all(too_big not in [lot["id"] for lot in bundle["lots"]] for bundle in items)
