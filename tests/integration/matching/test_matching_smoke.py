from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import OrgFactory
from tests.support.desk import new_desk


async def test_smoke(client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory) -> None:
    desk = await new_desk(client, db, make_org)
    good = await desk.lot()
    dear = await desk.lot(price_minor=6_000_000)
    small = await desk.lot(metres=1000, price_minor=700_000)
    request = await desk.request()
    matches = await client.get(f"/api/procurement-requests/{request['id']}/matches", headers=desk.broker.headers)
    print(matches.json())
    assert matches.status_code == 200
    bundles = await client.get(f"/api/procurement-requests/{request['id']}/bundles", headers=desk.broker.headers)
    print(bundles.json())
    proposal = await desk.proposal(request["id"], [(good, "45000.00")])
    print(proposal)
    seen = await client.get(f"/api/proposals/{proposal['id']}", headers=desk.buyer.headers)
    print(seen.json())
    accepted = await client.post(f"/api/proposals/{proposal['id']}/accept", headers=desk.buyer.headers)
    print(accepted.status_code, accepted.json())
