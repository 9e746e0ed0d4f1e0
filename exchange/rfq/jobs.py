"""RFQ's periodic jobs: expire offers past their valid-until, close threads whose lot was sold elsewhere.

Correctness does not wait for them (reads and accepts check expiry and availability themselves);
they make the state and the notifications arrive on time.
"""

from __future__ import annotations

from exchange.rfq.services import close_threads_on_unavailable_lots, expire_due_offers
from exchange.runtime import Runtime
from exchange.scheduler import Job

__all__ = ["JOBS", "RFQ_SWEEP_EVERY_SECONDS"]

RFQ_SWEEP_EVERY_SECONDS = 15.0


async def _expire_offers(runtime: Runtime) -> None:
    async with runtime.session_maker() as session, session.begin():
        await expire_due_offers(session, runtime.clock.now(), runtime=runtime)


async def _close_threads(runtime: Runtime) -> None:
    async with runtime.session_maker() as session, session.begin():
        await close_threads_on_unavailable_lots(session, runtime.clock.now(), runtime=runtime)


JOBS = (
    Job("rfq.expire-offers", RFQ_SWEEP_EVERY_SECONDS, _expire_offers),
    Job("rfq.close-threads-on-sold-lots", RFQ_SWEEP_EVERY_SECONDS, _close_threads),
)
