"""Daily searches wait for the digest (once a day per org); "lots like the ones you buy" come from the buyer's
own history, with the reason shown, and can be turned off."""

from __future__ import annotations

from datetime import timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.alerts.services.digest import send_digest
from exchange.clock import ManualClock
from tests.conftest import OrgFactory
from tests.integration.alerts._support import alerts_of, fanned_out, mails_to, save_search
from tests.support.catalogue import body, post_lot, publish, unique_place


async def test_daily_searches_are_collected_into_one_digest_a_day(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    buyer, seller = await make_org("buyer"), await make_org("seller")
    place = unique_place()
    await save_search(client, buyer, f"location={place}", frequency="daily", name="Daily cloth")
    first = await publish(client, seller, (await post_lot(client, seller, body(city=place)))["id"])
    await fanned_out(db, first["id"])
    assert await alerts_of(client, buyer) == []  # not at once: in the digest

    clock = ManualClock()
    async with db() as session, session.begin():  # as the app's digest job does (it may have been first)
        await send_digest(session, buyer.org_id or 0, clock.now())
    digests = await alerts_of(client, buyer, "daily_digest")
    assert digests == ["/saved-searches"]
    notes = (await client.get("/api/notifications", headers=buyer.headers)).json()["items"]
    assert f"/lots/{first['id']}" in notes[0]["body"]
    assert any(subject.startswith("Your daily digest") for subject in await mails_to(db, buyer.email))

    second = await publish(client, seller, (await post_lot(client, seller, body(city=place)))["id"])
    await fanned_out(db, second["id"])
    async with db() as session, session.begin():
        assert not await send_digest(session, buyer.org_id or 0, clock.advance(3600))  # a day has not passed
    clock.advance(timedelta(days=1).total_seconds())
    async with db() as session, session.begin():
        assert await send_digest(session, buyer.org_id or 0, clock.now())
    notes = (await client.get("/api/notifications", headers=buyer.headers)).json()["items"]
    latest = next(note for note in notes if note["kind"] == "daily_digest")
    assert f"/lots/{second['id']}" in latest["body"]
    assert f"/lots/{first['id']}" not in latest["body"]  # each alert goes out in one digest


async def test_lots_like_the_ones_you_buy_are_suggested_with_their_reason(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    buyer, seller = await make_org("buyer"), await make_org("seller")
    place = unique_place()
    bought = await publish(client, seller, (await post_lot(client, seller, body(city=place, grade="A")))["id"])
    response = await client.post(f"/api/lots/{bought['id']}/purchase", headers=buyer.headers)
    assert response.status_code == 201, response.text
    similar = await publish(client, seller, (await post_lot(client, seller, body(city=place)))["id"])
    other_grade = await publish(
        client,
        seller,
        (await post_lot(client, seller, body(city=place, grade="C", defects="Holes in every roll")))["id"],
    )

    suggested = (await client.get("/api/suggestions", headers=buyer.headers)).json()
    ids = [item["lot_id"] for item in suggested["items"]]
    assert similar["id"] in ids
    assert other_grade["id"] not in ids
    assert bought["id"] not in ids
    reason = next(item["reason"] for item in suggested["items"] if item["lot_id"] == similar["id"])
    assert reason.startswith("Like the lots you buy")
    assert "grade A" in reason

    off = await client.put("/api/saved-searches/settings", json={"suggestions_enabled": False}, headers=buyer.headers)
    assert off.status_code == 200
    assert off.json() == {"suggestions_enabled": False}
    assert (await client.get("/api/suggestions", headers=buyer.headers)).json() == {
        "items": [],
        "total": 0,
        "next": None,
        "enabled": False,
    }
    stranger = await make_org("buyer")
    assert (await client.get("/api/suggestions", headers=stranger.headers)).json()["items"] == []
