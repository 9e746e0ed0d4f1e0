"""A lot that leaves `live` unsold by another path (withdrawn, expired) is closed in the engine at once, and
whoever watched it is told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.models import EngineIdentity
from exchange.auctions.scripts import LotKeys
from exchange.lots.jobs import JOBS as LOT_JOBS
from tests.conftest import OrgFactory
from tests.support.lots import live_lot
from tests.support.runtime import runtime_in_this_loop


async def _engine_state(db: async_sessionmaker[AsyncSession], redis: Redis, lot_id: int) -> bytes | None:
    async with db() as session:
        identity = await session.get(EngineIdentity, 1)
    assert identity is not None
    value = await redis.hget(LotKeys(lot_id, f"sx:{identity.space}:").state, "state")  # type: ignore[misc]
    return value if isinstance(value, bytes) else None


async def test_a_withdrawn_lot_is_closed_in_redis_and_refuses_the_next_bid(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, redis_url: str
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    lot_id = await live_lot(db, seller)
    bids = f"/api/lots/{lot_id}/bids"
    # A bid placed and withdrawn again: the lot is loaded in Redis, and the seller may still withdraw it.
    assert (await client.post(bids, json={"amount": "100"}, headers=buyer.headers)).status_code == 201
    assert (await client.delete(f"{bids}/mine", headers=buyer.headers)).status_code == 204
    redis = Redis.from_url(redis_url)
    try:
        assert await _engine_state(db, redis, lot_id) == b"open"
        withdrawn = await client.post(f"/api/lots/{lot_id}/withdraw", headers=seller.headers)
        assert withdrawn.status_code == 200, withdrawn.text
        assert withdrawn.json()["status"] == "withdrawn"
        assert await _engine_state(db, redis, lot_id) == b"gone"
    finally:
        await redis.aclose()
    late = await client.post(bids, json={"amount": "200"}, headers=buyer.headers)
    assert late.status_code == 409
    assert late.headers["content-type"].startswith("application/problem+json")


async def test_an_expired_listing_is_closed_in_redis_by_the_expiry_job(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, redis_url: str
) -> None:
    seller, invited, outsider = await make_org("seller"), await make_org("buyer"), await make_org("buyer")
    lot_id = await live_lot(
        db,
        seller,
        invited_org_ids=(invited.org_id or 0,),
        visibility="private",
        sale_mode="fixed_price",
        price_minor=500_00,
        published_at=datetime.now(UTC) - timedelta(days=14, minutes=1),  # its 14-day listing ended a minute ago
    )
    assert (await client.put(f"/api/lots/{lot_id}/watch", headers=invited.headers)).status_code == 200
    # An uninvited buyer's attempt loads the lot into Redis (and is told it does not exist).
    assert (await client.post(f"/api/lots/{lot_id}/purchase", headers=outsider.headers)).status_code == 404
    redis = Redis.from_url(redis_url)
    try:
        assert await _engine_state(db, redis, lot_id) is not None  # loaded (the app's own job may run first)
        (expire,) = [job for job in LOT_JOBS if job.name == "lots.expire-listings"]
        async with runtime_in_this_loop(client.app.state.runtime, redis, db) as runtime:
            await expire.run(runtime)
        assert await _engine_state(db, redis, lot_id) == b"gone"
    finally:
        await redis.aclose()
    assert (await client.get(f"/api/lots/{lot_id}", headers=seller.headers)).json()["status"] == "expired"
    assert (await client.post(f"/api/lots/{lot_id}/purchase", headers=invited.headers)).status_code == 409
    # Whoever watched the lot is told it left sale, once.
    notes = (await client.get("/api/notifications", headers=invited.headers)).json()["items"]
    assert [note["link"] for note in notes if note["kind"] == "lot_left_sale"] == [f"/lots/{lot_id}"]
