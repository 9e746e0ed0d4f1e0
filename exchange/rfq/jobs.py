"""RFQ's periodic jobs: expire offers past their valid-until, close threads whose lot was sold elsewhere.

Correctness does not wait for them (reads and accepts check expiry and availability themselves);
they make the state and the notifications arrive on time.
"""

from __future__ import annotations

from typing import Any

from exchange.rfq.services import close_threads_on_unavailable_lots, expire_due_offers
from exchange.scheduler import register_job

__all__ = ["RFQ_SWEEP_EVERY_SECONDS"]

RFQ_SWEEP_EVERY_SECONDS = 15.0


async def _expire_offers(app_state: Any) -> None:
    async with app_state.session_maker() as session, session.begin():
        await expire_due_offers(session, app_state=app_state)


async def _close_threads(app_state: Any) -> None:
    async with app_state.session_maker() as session, session.begin():
        await close_threads_on_unavailable_lots(session, app_state=app_state)


register_job("rfq.expire-offers", RFQ_SWEEP_EVERY_SECONDS, _expire_offers)
register_job("rfq.close-threads-on-sold-lots", RFQ_SWEEP_EVERY_SECONDS, _close_threads)
