"""Procurement requests: who posts them, and a 422 naming the field for each kind of bad input."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import OrgFactory
from tests.support.desk import new_desk

BAD = [
    ({"quantity": {"value": 3000, "unit": "parsec"}}, "quantity.unit"),
    ({"quantity": {"value": 0, "unit": "m"}}, "quantity.value"),
    ({"budget_per_unit": {"min": "12.00", "max": "10.00"}}, "budget_per_unit.min"),
    ({"budget_per_unit": {"max": "ten"}}, "budget_per_unit.max"),
    ({"deliver_by": (date.today() - timedelta(days=2)).isoformat()}, "deliver_by"),
    ({"categories": ["textiles/fabric", "toys/robots"]}, "categories[1]"),
    ({"certificates": ["3C", "moon dust"]}, "certificates[1]"),
    ({"requirement_groups": [{"width": {"gte": "5 kg"}}]}, "requirement_groups[0].width.gte"),
    ({"requirement_groups": [{"capacity": {"gte": "10000 mAh"}}]}, "requirement_groups[0].capacity"),
    ({"requirement_groups": [{"fibre": {"eq": "unobtainium"}}]}, "requirement_groups[0].fibre.eq"),
    ({"requirement_groups": [{"fibre": {"gte": "cotton"}}]}, "requirement_groups[0].fibre.gte"),
    ({"currency": "XXX"}, "currency"),
]


@pytest.mark.parametrize(("change", "field"), BAD)
async def test_bad_input_is_a_422_naming_the_field(
    client: AsyncTestClient[Litestar],
    db: async_sessionmaker[AsyncSession],
    make_org: OrgFactory,
    change: dict[str, Any],
    field: str,
) -> None:
    desk = await new_desk(client, db, make_org)
    answer = await client.post(
        "/api/procurement-requests", json=desk.request_body(**change), headers=desk.broker.headers
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field, answer.json()


async def test_an_unknown_grade_is_refused(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    desk = await new_desk(client, db, make_org)
    answer = await client.post(
        "/api/procurement-requests", json=desk.request_body(grades=["A", "Z"]), headers=desk.broker.headers
    )
    assert answer.status_code in (400, 422)
    assert "grades" in answer.text


async def test_who_posts_and_who_reads(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    desk = await new_desk(client, db, make_org)
    made = await desk.request(certificates=["3c"], budget_per_unit={"min": "5", "max": "10.00"})
    assert made["client_org_id"] == desk.buyer.org_id
    assert made["broker_org_id"] == desk.broker.org_id
    assert made["certificates"] == ["3C"]
    assert made["budget_per_unit"] == {"max": "10.00", "min": "5.00"}
    for actor in (desk.broker, desk.buyer):
        seen = await client.get(f"/api/procurement-requests/{made['id']}", headers=actor.headers)
        assert seen.status_code == 200
        listed = await client.get("/api/procurement-requests", headers=actor.headers)
        assert [r["id"] for r in listed.json()["items"]] == [made["id"]]
    other = await make_org("broker")
    assert (await client.get(f"/api/procurement-requests/{made['id']}", headers=other.headers)).status_code == 404
    assert (
        await client.get(f"/api/procurement-requests/{made['id']}/matches", headers=other.headers)
    ).status_code == 404

    # A broker's client must be a buyer org; a buyer posts for itself; a seller posts nothing.
    wrong = await client.post(
        "/api/procurement-requests",
        json=desk.request_body(client_org_id=desk.seller.org_id),
        headers=desk.broker.headers,
    )
    assert wrong.status_code == 422
    assert wrong.json()["field"] == "client_org_id"
    own = await client.post(
        "/api/procurement-requests", json=desk.request_body(client_org_id=None), headers=desk.buyer.headers
    )
    assert own.status_code == 201
    assert own.json()["broker_org_id"] is None
    assert (
        await client.post("/api/procurement-requests", json=desk.request_body(), headers=desk.seller.headers)
    ).status_code == 403
