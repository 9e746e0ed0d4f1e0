"""Every API list answers `{items, total, next}` like GET /api/lots: an integrator walks it page by page."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.notifications.services import notify
from exchange.orders.services import create_order_for_lot
from tests.conftest import Actor, OrgFactory
from tests.support.lots import live_lot

LISTS = [
    "/api/orders",
    "/api/rfqs",
    "/api/wanted",
    "/api/admin/fee-schedules",
    "/api/seller/lots",
    "/api/admin/reviews",
    "/api/procurement-requests",
    "/api/proposals",
    "/api/admin/disputes",
    "/api/saved-searches",
    "/api/suggestions",
    "/api/notifications",
    "/api/bids/mine",
]


async def _walk(client: AsyncTestClient[Litestar], actor: Actor, path: str) -> tuple[list[int], int]:
    """The ids seen following `next` one item at a time from `?limit=1`, and the total each page claimed."""
    seen: list[int] = []
    totals: set[int] = set()
    url: str | None = f"{path}?limit=1"
    while url is not None:
        page = await client.get(url, headers=actor.headers)
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["items"]) <= 1
        seen += [item["id"] for item in body["items"]]
        totals.add(body["total"])
        url = body["next"]
        assert len(seen) <= 50, "next never ran out"
    assert len(totals) == 1
    return seen, totals.pop()


async def _whole(client: AsyncTestClient[Litestar], actor: Actor, path: str) -> dict[str, Any]:
    answer = await client.get(f"{path}?limit=100", headers=actor.headers)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert body["next"] is None
    return body


async def test_walking_a_list_one_at_a_time_sees_the_whole_list_and_nothing_of_another_org(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, other_seller = await make_org("seller"), await make_org("seller")
    buyer, other_buyer = await make_org("buyer"), await make_org("buyer")
    lots = [await live_lot(db, seller, sale_mode="fixed_price", price_minor=100_000 * (i + 1)) for i in range(3)]
    other_lot = await live_lot(db, other_seller, sale_mode="fixed_price", price_minor=100_000)
    async with db() as session, session.begin():
        for lot_id in lots:
            await create_order_for_lot(
                session, lot_id, buyer_org_id=buyer.org_id or 0, amount_minor=100_000, source="purchase"
            )
        await create_order_for_lot(
            session, other_lot, buyer_org_id=other_buyer.org_id or 0, amount_minor=100_000, source="purchase"
        )
        for n in range(3):
            await notify(session, buyer.org_id or 0, kind="offer", title=f"Note {n}", link="/rfqs/1")
        await notify(session, other_buyer.org_id or 0, kind="offer", title="Theirs", link="/rfqs/1")
    for n in range(3):
        made = await client.post(
            "/api/saved-searches", json={"name": f"S{n}", "query": f"q=roll{n}"}, headers=buyer.headers
        )
        assert made.status_code == 201, made.text
    await client.post("/api/saved-searches", json={"name": "T", "query": "q=theirs"}, headers=other_buyer.headers)

    for actor, other, path in [
        (buyer, other_buyer, "/api/orders"),
        (seller, other_seller, "/api/orders"),
        (seller, other_seller, "/api/seller/lots"),
        (buyer, other_buyer, "/api/notifications"),
        (buyer, other_buyer, "/api/saved-searches"),
    ]:
        whole = await _whole(client, actor, path)
        seen, total = await _walk(client, actor, path)
        assert seen == [item["id"] for item in whole["items"]], path  # same items, same order (newest first)
        assert total == whole["total"] == len(seen) >= 3, path
        theirs = {item["id"] for item in (await _whole(client, other, path))["items"]}
        assert theirs, path
        assert not theirs & set(seen), path


async def test_a_page_keeps_its_extra_fields_and_the_filters_in_next(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    for _ in range(2):
        await live_lot(db, seller, sale_mode="fixed_price", price_minor=100_000)
    async with db() as session, session.begin():
        for n in range(2):
            await notify(session, buyer.org_id or 0, kind="offer", title=f"Note {n}", link="/rfqs/1")
    first = (await client.get("/api/notifications?limit=1", headers=buyer.headers)).json()
    assert first["unread"] == 2
    assert first["total"] == 2
    assert len(first["items"]) == 1
    last = (await client.get(first["next"], headers=buyer.headers)).json()
    assert last["next"] is None
    assert last["unread"] == 2
    assert first["items"][0]["title"] == "Note 1"
    assert last["items"][0]["title"] == "Note 0"
    live = (await client.get("/api/seller/lots?status=live&limit=1", headers=seller.headers)).json()
    assert "status=live" in live["next"]


@pytest.mark.parametrize("bad", ["limit=0", "limit=101", "limit=ten", "offset=-1", "offset=1.5"])
async def test_a_bad_limit_or_offset_is_a_422_naming_it_on_every_list(
    client: AsyncTestClient[Litestar], admin: Actor, make_org: OrgFactory, bad: str
) -> None:
    actors = {"admin": admin, "buyer": await make_org("buyer"), "seller": await make_org("seller")}
    owner = {
        "/api/admin/fee-schedules": "admin",
        "/api/admin/reviews": "admin",
        "/api/admin/disputes": "admin",
        "/api/seller/lots": "seller",
    }
    for path in LISTS:
        answer = await client.get(f"{path}?{bad}", headers=actors[owner.get(path, "buyer")].headers)
        assert answer.status_code == 422, (path, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["field"] == bad.split("=")[0], path
