from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange import app as _app  # noqa: F401  (importing the app registers every job)
from exchange.lots.models import Lot
from exchange.scheduler import registered_jobs
from tests.conftest import OrgFactory
from tests.support.lots import live_lot


def test_every_capability_registers_its_periodic_jobs() -> None:
    names = {job.name for job in registered_jobs()}
    assert {
        "auctions.close-due-lots",
        "lots.expire-listings",
        "rfq.expire-offers",
        "rfq.close-threads-on-sold-lots",
        "mail.send-outbox",
    } <= names


async def test_the_listing_expiry_job_delists_a_fixed_price_lot_whose_window_ended(
    db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    # Published 14 days and a minute ago: its 14-day listing ended a minute ago.
    published_at = datetime.now(UTC) - timedelta(days=14, minutes=1)
    lot_id = await live_lot(db, seller, sale_mode="fixed_price", price_minor=100_000, published_at=published_at)
    job = next(job for job in registered_jobs() if job.name == "lots.expire-listings")
    await job.run(SimpleNamespace(session_maker=db))
    async with db() as session:
        lot = await session.get(Lot, lot_id)
        assert lot is not None
        assert lot.status == "expired"
