from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import Actor, OrgFactory
from tests.support.lots import live_lot


async def test_a_buyer_can_bid_the_moment_an_admin_verifies_their_org(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, admin: Actor
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer", verified=False)
    lot_id = await live_lot(db, seller)

    refused = await client.post(f"/api/lots/{lot_id}/bids", json={"amount": "1000.00"}, headers=buyer.headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "org_not_verified"

    verified = await client.post(f"/api/admin/orgs/{buyer.org_id}/verify", headers=admin.headers)
    assert verified.status_code == 200
    accepted = await client.post(f"/api/lots/{lot_id}/bids", json={"amount": "1000.00"}, headers=buyer.headers)
    assert accepted.status_code == 201, accepted.text
