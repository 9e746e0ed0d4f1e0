from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.lots.services import expire_due_lots
from tests.conftest import OrgFactory
from tests.support.catalogue import body, post_lot, publish, unique_place


async def test_an_unsold_fixed_price_lot_is_delisted_when_its_window_ends(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    place = unique_place()
    short = await publish(client, seller, (await post_lot(client, seller, body(city=place, listing_days=7)))["id"])
    long = await publish(client, seller, (await post_lot(client, seller, body(city=place, listing_days=15)))["id"])
    sealed = await publish(
        client,
        seller,
        (
            await post_lot(
                client, seller, body(city=place, listing_days=7, sale={"mode": "sealed_bid", "rfq_enabled": True})
            )
        )["id"],
    )

    async with db() as session, session.begin():
        assert await expire_due_lots(session, datetime.now(UTC) + timedelta(days=6)) == []
    async with db() as session, session.begin():
        expired = await expire_due_lots(session, datetime.now(UTC) + timedelta(days=8))
    assert short["id"] in expired

    statuses = {
        lot_id: (await client.get(f"/api/lots/{lot_id}")).json()["status"]
        for lot_id in (short["id"], long["id"], sealed["id"])
    }
    assert statuses == {short["id"]: "expired", long["id"]: "live", sealed["id"]: "live"}
    listed = (await client.get(f"/api/lots?location={place}")).json()
    assert {lot["id"] for lot in listed["items"]} == {long["id"], sealed["id"]}
    notes = (await client.get("/api/notifications", headers=seller.headers)).json()["items"]
    assert [n["link"] for n in notes if n["kind"] == "lot_expired"] == [f"/lots/{short['id']}"]

    async with db() as session, session.begin():
        await expire_due_lots(session, datetime.now(UTC) + timedelta(days=8))
    notes = (await client.get("/api/notifications", headers=seller.headers)).json()["items"]
    assert len([n for n in notes if n["kind"] == "lot_expired"]) == 1
