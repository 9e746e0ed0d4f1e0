from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest

from exchange.app import SCHEDULED_JOBS
from exchange.runtime import Runtime
from exchange.scheduler import Job, Scheduler

NO_RUNTIME = cast(Runtime, object())


async def test_jobs_run_again_every_period_even_after_one_fails() -> None:
    calls = {"steady": 0, "flaky": 0}
    three_each = asyncio.Event()

    def count(name: str) -> None:
        calls[name] += 1
        if min(calls.values()) >= 3:
            three_each.set()

    async def steady(_state: Any) -> None:
        count("steady")

    async def flaky(_state: Any) -> None:
        count("flaky")
        raise RuntimeError("database briefly down")

    scheduler = Scheduler(NO_RUNTIME, [Job("steady", 0.02, steady), Job("flaky", 0.02, flaky)])
    scheduler.start()
    await asyncio.wait_for(three_each.wait(), 5)
    await scheduler.stop()
    assert calls["steady"] >= 3
    assert calls["flaky"] >= 3


def test_two_jobs_with_one_name_are_refused() -> None:
    async def run(_runtime: Any) -> None: ...

    with pytest.raises(ValueError, match="share a name"):
        Scheduler(NO_RUNTIME, [Job("sweep", 1.0, run), Job("sweep", 2.0, run)])


def test_the_app_runs_every_capabilitys_jobs_from_one_list() -> None:
    assert {job.name for job in SCHEDULED_JOBS} == {
        "auctions.close-due-lots",
        "auctions.deliver-closes",
        "auctions.closing-soon-reminders",
        "audit.checkpoint",
        "lots.expire-listings",
        "mail.send-outbox",
        "rfq.expire-offers",
        "rfq.close-threads-on-sold-lots",
        "alerts.fan-out",
        "alerts.daily-digest",
        "alerts.slow-sale",
        "matching.expire-proposals",
        "ledger.expire-holds",
        "orders.fire-deadlines",
        "orders.deadline-reminders",
        "orders.lapse-runner-up-offers",
    }
