from __future__ import annotations

import asyncio
from typing import Any

from exchange.scheduler import Job, Scheduler, register_job, registered_jobs, unregister_job


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

    scheduler = Scheduler(object(), [Job("steady", 0.02, steady), Job("flaky", 0.02, flaky)])
    scheduler.start()
    await asyncio.wait_for(three_each.wait(), 5)
    await scheduler.stop()
    assert calls["steady"] >= 3
    assert calls["flaky"] >= 3


def test_registering_a_job_again_replaces_it() -> None:
    async def first(_state: Any) -> None: ...

    async def second(_state: Any) -> None: ...

    register_job("test.replace-me", 1.0, first)
    register_job("test.replace-me", 2.0, second)
    jobs = [job for job in registered_jobs() if job.name == "test.replace-me"]
    unregister_job("test.replace-me")
    assert [(job.every_seconds, job.run) for job in jobs] == [(2.0, second)]
    assert "test.replace-me" not in [job.name for job in registered_jobs()]
