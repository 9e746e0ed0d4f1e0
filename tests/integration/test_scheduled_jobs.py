from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.app import SCHEDULED_JOBS
from exchange.lots.models import Lot
from tests.conftest import OrgFactory
from tests.support.lots import insert_live_lot


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
