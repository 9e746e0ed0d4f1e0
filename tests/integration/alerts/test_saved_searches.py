"""Saved searches: kept per buyer org, parsed by the catalogue's own parser, and alerting once per (search,
lot) when a matching lot goes live (published, approved from review, relisted), never for a lot the
search's org may not see."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import Actor, OrgFactory
from tests.integration.alerts._support import alerts_of, fanned_out, mails_to, save_search
from tests.support.catalogue import POWER_BANK, body, post_lot, publish, unique_place


async def test_saved_searches_are_the_buyers_own(client: AsyncTestClient[Litestar], make_org: OrgFactory) -> None:
    buyer, other, seller = await make_org("buyer"), await make_org("buyer"), await make_org("seller")
    saved = await save_search(client, buyer, "?category=textiles/fabric&spec.width.gte=140cm&offset=20", name="Wide")
    assert saved["query"] == "category=textiles%2Ffabric&spec.width.gte=140cm"
    assert saved["frequency"] == "instant"
    assert saved["link"].startswith("/lots?")
    listed = (await client.get("/api/saved-searches", headers=buyer.headers)).json()
    assert [s["id"] for s in listed["items"]] == [saved["id"]]
    assert listed["settings"]["suggestions_enabled"]
    assert (await client.get("/api/saved-searches", headers=other.headers)).json()["items"] == []
    assert (await client.delete(f"/api/saved-searches/{saved['id']}", headers=other.headers)).status_code == 404
    assert (await client.get("/api/saved-searches", headers=seller.headers)).status_code == 403
    assert (await client.delete(f"/api/saved-searches/{saved['id']}", headers=buyer.headers)).status_code == 204
    assert (await client.delete(f"/api/saved-searches/{saved['id']}", headers=buyer.headers)).status_code == 404


async def test_a_query_the_catalogue_cannot_read_is_a_422_naming_the_parameter(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    buyer = await make_org("buyer")
    for query, field in [
        ("category=textiles/fabric&spec.width.gte=5kg", "query.spec.width.gte"),
        ("category=no/such", "query.category"),
        ("grade=Z", "query.grade"),
        ("price_max=cheap", "query.price_max"),
    ]:
        response = await client.post("/api/saved-searches", json={"name": "x", "query": query}, headers=buyer.headers)
        assert response.status_code == 422, (query, response.text)
        assert response.json()["field"] == field
    bad = await client.post(
        "/api/saved-searches", json={"name": "x", "query": "", "frequency": "hourly"}, headers=buyer.headers
    )
    assert bad.status_code in (400, 422)


async def test_a_search_fires_once_per_lot_when_a_matching_lot_is_published(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    buyer, seller = await make_org("buyer"), await make_org("seller")
    place = unique_place()
    await save_search(client, buyer, f"location={place}&category=textiles&spec.width.gte=140cm", name="Wide cloth")
    narrow = await publish(
        client, seller, (await post_lot(client, seller, body(city=place, specs__width="120 cm")))["id"]
    )
    wide = await publish(client, seller, (await post_lot(client, seller, body(city=place)))["id"])
    await fanned_out(db, narrow["id"])
    await fanned_out(db, wide["id"])
    assert await alerts_of(client, buyer) == [f"/lots/{wide['id']}"]
    assert any("Wide cloth" in subject for subject in await mails_to(db, buyer.email))

    # Cutting the price checks the searches again: the same (search, lot) never alerts twice.
    cut = await client.post(f"/api/lots/{wide['id']}/price-cut", json={"price": "39000.00"}, headers=seller.headers)
    assert cut.status_code == 200, cut.text
    await fanned_out(db, wide["id"])
    assert await alerts_of(client, buyer) == [f"/lots/{wide['id']}"]
    assert narrow["id"] != wide["id"]


async def test_a_private_lot_alerts_only_invited_orgs_also_those_invited_later(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    invited, uninvited, seller = await make_org("buyer"), await make_org("buyer"), await make_org("seller")
    place = unique_place()
    for buyer in (invited, uninvited):
        await save_search(client, buyer, f"location={place}")
    lot = await publish(
        client,
        seller,
        (await post_lot(client, seller, body(city=place, visibility="private", invited_org_ids=[invited.org_id])))[
            "id"
        ],
    )
    await fanned_out(db, lot["id"])
    assert await alerts_of(client, invited) == [f"/lots/{lot['id']}"]
    assert await alerts_of(client, uninvited) == []
    invited_later = await client.post(
        f"/api/lots/{lot['id']}/invitations", json={"org_ids": [uninvited.org_id]}, headers=seller.headers
    )
    assert invited_later.status_code == 200, invited_later.text
    await fanned_out(db, lot["id"])
    assert await alerts_of(client, uninvited) == [f"/lots/{lot['id']}"]
    assert await alerts_of(client, invited) == [f"/lots/{lot['id']}"]


async def test_a_lot_approved_from_review_fires(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, admin: Actor
) -> None:
    buyer, seller = await make_org("buyer"), await make_org("seller")
    place = unique_place()
    await save_search(client, buyer, f"location={place}&category=electronics/power-bank&spec.capacity.gte=5Ah")
    flagged = await publish(client, seller, (await post_lot(client, seller, body(POWER_BANK, city=place)))["id"])
    assert flagged["status"] == "in_review"
    assert await alerts_of(client, buyer) == []
    approved = await client.post(f"/api/admin/lots/{flagged['id']}/approve", headers=admin.headers)
    assert approved.status_code == 200, approved.text
    await fanned_out(db, flagged["id"])
    assert await alerts_of(client, buyer) == [f"/lots/{flagged['id']}"]


async def test_a_relisted_lot_fires_for_searches_that_have_not_seen_it(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    early, late, seller = await make_org("buyer"), await make_org("buyer"), await make_org("seller")
    place = unique_place()
    await save_search(client, early, f"location={place}")
    lot = await publish(client, seller, (await post_lot(client, seller, body(city=place)))["id"])
    await fanned_out(db, lot["id"])
    withdrawn = await client.post(f"/api/lots/{lot['id']}/withdraw", headers=seller.headers)
    assert withdrawn.json()["status"] == "withdrawn"
    await save_search(client, late, f"location={place}")
    assert await alerts_of(client, late) == []
    relisted = await client.post(f"/api/lots/{lot['id']}/relist", headers=seller.headers)
    assert relisted.status_code == 200, relisted.text
    assert relisted.json()["status"] == "live"
    await fanned_out(db, lot["id"])
    assert await alerts_of(client, late) == [f"/lots/{lot['id']}"]
    assert await alerts_of(client, early) == [f"/lots/{lot['id']}"]  # once per (search, lot)
    again = await client.post(f"/api/lots/{lot['id']}/relist", headers=seller.headers)
    assert again.status_code == 409
    assert again.json()["code"] == "not_relistable"
    bought = await client.post(f"/api/lots/{lot['id']}/purchase", headers=late.headers)
    assert bought.status_code == 201, bought.text
