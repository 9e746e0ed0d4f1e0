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
from tests.support.lots import live_lot
from tests.support.runtime import runtime_in_this_loop


def test_the_app_schedules_every_capabilitys_periodic_jobs() -> None:
    names = {job.name for job in SCHEDULED_JOBS}
    assert {
        "auctions.close-due-lots",
        "auctions.deliver-closes",
        "lots.expire-listings",
        "rfq.expire-offers",
        "rfq.close-threads-on-sold-lots",
        "mail.send-outbox",
        "ledger.expire-holds",
    } <= names


async def test_the_listing_expiry_job_delists_a_fixed_price_lot_whose_window_ended(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, redis_url: str
) -> None:
    seller = await make_org("seller")
    # Published 14 days and a minute ago: its 14-day listing ended a minute ago.
    published_at = datetime.now(UTC) - timedelta(days=14, minutes=1)
    lot_id = await live_lot(db, seller, sale_mode="fixed_price", price_minor=100_000, published_at=published_at)
    job = next(job for job in SCHEDULED_JOBS if job.name == "lots.expire-listings")
    # The app's runtime belongs to the test client's event loop: the job runs on one made in this loop.
    redis = Redis.from_url(redis_url)
    try:
        async with runtime_in_this_loop(client.app.state.runtime, redis, db) as runtime:
            await job.run(runtime)
    finally:
        await redis.aclose()
    async with db() as session:
        lot = await session.get(Lot, lot_id)
        assert lot is not None
        assert lot.status == "expired"


async def test_the_listing_expiry_job_decides_by_the_runtimes_clock(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, redis_url: str
) -> None:
    seller = await make_org("seller")
    # Published 13 days ago: its 14-day listing ends in a day.
    published_at = datetime.now(UTC) - timedelta(days=13)
    lot_id = await live_lot(db, seller, sale_mode="fixed_price", price_minor=100_000, published_at=published_at)
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
