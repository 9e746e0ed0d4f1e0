"""Orders' periodic jobs: fire due deadlines (once, whichever worker gets there), send reminders a day
before them, and lapse runner-up offers past their deadline.

The deadline job takes its handlers from the app (`make_jobs(DEADLINE_HANDLERS)` in `exchange.app`),
so another package's deadlines (disputes) are fired by the same job without this module knowing them.
"""

from __future__ import annotations

from collections.abc import Mapping

from exchange.orders import actions, deadlines, runner_up
from exchange.runtime import Runtime
from exchange.scheduler import Job

__all__ = ["DEADLINE_EVERY_SECONDS", "make_jobs"]

DEADLINE_EVERY_SECONDS = 5.0
REMINDER_EVERY_SECONDS = 60.0


def make_jobs(handlers: Mapping[str, deadlines.DeadlineHandler]) -> tuple[Job, ...]:
    """The orders' jobs, firing deadlines with `handlers` ({deadline name: handler})."""
    chosen = dict(handlers)

    async def fire_deadlines(runtime: Runtime) -> None:
        await deadlines.fire_due(runtime.session_maker, chosen, runtime.clock.now())

    async def send_reminders(runtime: Runtime) -> None:
        await deadlines.remind_due(runtime.session_maker, actions.remind, runtime.clock.now())

    async def lapse_runner_up_offers(runtime: Runtime) -> None:
        await runner_up.lapse_due(runtime.session_maker, runtime.clock.now())

    return (
        Job("orders.fire-deadlines", DEADLINE_EVERY_SECONDS, fire_deadlines),
        Job("orders.deadline-reminders", REMINDER_EVERY_SECONDS, send_reminders),
        Job("orders.lapse-runner-up-offers", DEADLINE_EVERY_SECONDS * 6, lapse_runner_up_offers),
    )
