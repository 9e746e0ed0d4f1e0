from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.app import SCHEDULED_JOBS
from exchange.clock import ManualClock
from exchange.lots.models import Lot
from tests.conftest import OrgFactory
from tests.support.lots import insert_live_lot
from tests.support.runtime import runtime_in_this_loop


def test_the_app_schedules_every_capabilitys_periodic_jobs() -> None:
    names = {job.name for job in SCHEDULED_JOBS}
    assert {
        "auctions.close-due-lots",
        "lots.expire-listings",
        "rfq.expire-offers",
        "rfq.close-threads-on-sold-lots",
        "mail.send-outbox",
    } <= names


async def test_the_listing_expiry_job_delists_a_fixed_price_lot_whose_window_ended(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    past = datetime.now(UTC) - timedelta(minutes=1)
    lot_id = await insert_live_lot(
        db, seller.org_id or 0, sale_mode="fixed_price", price_minor=100_000, closes_at=None, ends_at=past
    )
    job = next(job for job in SCHEDULED_JOBS if job.name == "lots.expire-listings")
    await job.run(client.app.state.runtime)
    async with db() as session:
        lot = await session.get(Lot, lot_id)
        assert lot is not None
        assert lot.status == "expired"


async def test_the_listing_expiry_job_decides_by_the_runtimes_clock(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, redis_url: str
) -> None:
    seller = await make_org("seller")
    ends_at = datetime.now(UTC) + timedelta(days=1)
    lot_id = await insert_live_lot(
        db, seller.org_id or 0, sale_mode="fixed_price", price_minor=100_000, closes_at=None, ends_at=ends_at
    )
    (expire,) = [job for job in SCHEDULED_JOBS if job.name == "lots.expire-listings"]
    clock = ManualClock()
    redis = Redis.from_url(redis_url)
    try:
        async with runtime_in_this_loop(client.app.state.runtime, redis, db) as runtime:
            manual = dataclasses.replace(runtime, clock=clock)
            await expire.run(manual)
            assert await _status(db, lot_id) == "live"
            clock.advance(timedelta(days=1, seconds=1).total_seconds())
            await expire.run(manual)
    finally:
        await redis.aclose()
    assert await _status(db, lot_id) == "expired"


async def _status(db: async_sessionmaker[AsyncSession], lot_id: int) -> str:
    async with db() as session:
        lot = await session.get(Lot, lot_id)
        assert lot is not None
        return lot.status
