"""The catalogue's periodic job: delist fixed-price lots whose listing window has ended unsold."""

from __future__ import annotations

from exchange.lots.events import lot_left_sale
from exchange.lots.services import expire_due_lots
from exchange.runtime import Runtime
from exchange.scheduler import Job

__all__ = ["EXPIRE_EVERY_SECONDS", "JOBS"]

EXPIRE_EVERY_SECONDS = 30.0


async def _expire_listings(runtime: Runtime) -> None:
    async with runtime.session_maker() as session, session.begin():
        expired = await expire_due_lots(session, runtime.clock.now(), runtime=runtime)
    await lot_left_sale(runtime, expired, "expired")


JOBS = (Job("lots.expire-listings", EXPIRE_EVERY_SECONDS, _expire_listings),)
