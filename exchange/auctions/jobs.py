"""The bid engine's periodic jobs: close due sealed-bid lots, deliver what closes must tell, remind watchers."""

from __future__ import annotations

from exchange.auctions.close_outbox import deliver_closes
from exchange.auctions.closing import close_due_lots, remind_closing_soon
from exchange.runtime import Runtime
from exchange.scheduler import Job

__all__ = ["CLOSE_EVERY_SECONDS", "DELIVER_CLOSES_EVERY_SECONDS", "JOBS"]

CLOSE_EVERY_SECONDS = 0.25
"""A lot closes within this (plus the award's few milliseconds) after its closing time."""
DELIVER_CLOSES_EVERY_SECONDS = 2.0
"""A close whose closer died is told (notifications, live event) within this after the award's commit."""


async def _close_due_lots(runtime: Runtime) -> None:
    await close_due_lots(
        runtime.bid_engine,
        now=runtime.clock.now(),
        payment_window=runtime.settings.orders.payment_window,
    )


async def _deliver_closes(runtime: Runtime) -> None:
    """Closes whose closer died (or failed) between the award's commit and its delivery."""
    await deliver_closes(runtime.session_maker, runtime.live.publish_many)


async def _remind_closing_soon(runtime: Runtime) -> None:
    await remind_closing_soon(runtime.session_maker, publish=runtime.live.publish, now=runtime.clock.now())


JOBS = (
    Job("auctions.close-due-lots", CLOSE_EVERY_SECONDS, _close_due_lots),
    Job("auctions.deliver-closes", DELIVER_CLOSES_EVERY_SECONDS, _deliver_closes),
    Job("auctions.closing-soon-reminders", 60.0, _remind_closing_soon),
)
