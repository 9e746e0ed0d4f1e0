from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.notifications.services import notify
from tests.conftest import OrgFactory


async def test_an_org_sees_and_clears_its_own_notifications_only(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    buyer, other = await make_org("buyer"), await make_org("buyer")
    async with db() as session, session.begin():
        await notify(session, buyer.org_id or 0, kind="offer", title="New quote on lot 7", link="/rfqs/1")

    mine = (await client.get("/api/notifications", headers=buyer.headers)).json()
    assert mine["unread"] == 1
    assert [n["title"] for n in mine["items"]] == ["New quote on lot 7"]
    theirs = (await client.get("/api/notifications", headers=other.headers)).json()
    assert theirs == {"items": [], "total": 0, "next": None, "unread": 0}

    marked = await client.post("/api/notifications/read", headers=buyer.headers)
    assert marked.json() == {"marked": 1}
    assert (await client.get("/api/notifications", headers=buyer.headers)).json()["unread"] == 0
