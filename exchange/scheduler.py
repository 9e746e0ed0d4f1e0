"""Periodic jobs run inside every server process: `register_job(name, every_seconds, fn)`.

Each registered job runs in its own asyncio task, every `every_seconds`, from the app's lifespan
(`SCHEDULER=off` turns them all off). Every worker process runs every job, so a job must be safe to
run concurrently with itself in other processes: make its changes conditional (an atomic Redis
script, a conditional UPDATE ... WHERE status = 'live', a claim row) so that doing it twice does
nothing the second time. A job that raises is logged (class name only) and runs again next period;
one slow run delays only its own job.

    from exchange.scheduler import register_job

    async def expire_listings(app_state: State) -> None: ...

    register_job("expire-listings", 30.0, expire_listings)
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Job", "Scheduler", "register_job", "registered_jobs", "unregister_job"]

log = logging.getLogger("exchange.scheduler")

JobFunction = Callable[[Any], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    every_seconds: float
    run: JobFunction


_jobs: dict[str, Job] = {}


def register_job(name: str, every_seconds: float, fn: JobFunction) -> JobFunction:
    """Run `await fn(app_state)` every `every_seconds` in each server process (re-registering replaces)."""
    if every_seconds <= 0:
        raise ValueError("every_seconds must be positive")
    _jobs[name] = Job(name, every_seconds, fn)
    return fn


def unregister_job(name: str) -> None:
    """Forget a job (for tests); processes already running keep their copy of the list."""
    _jobs.pop(name, None)


def registered_jobs() -> list[Job]:
    return list(_jobs.values())


class Scheduler:
    """Runs the registered jobs for one app until stopped."""

    def __init__(self, app_state: Any, jobs: list[Job] | None = None) -> None:
        self.app_state = app_state
        self.jobs = jobs if jobs is not None else registered_jobs()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        for job in self.jobs:
            self._tasks.append(asyncio.create_task(self._loop(job), name=f"job:{job.name}"))

    async def stop(self) -> None:
        """Cancel every job and wait until they have ended. `asyncio.wait`, not `await task` under a
        suppressed CancelledError: that would also swallow a cancellation of `stop` itself (a bounded
        shutdown giving up on a job that does not end), and keep waiting."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)

    async def _loop(self, job: Job) -> None:
        while True:
            started = time.monotonic()
            try:
                await job.run(self.app_state)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                # Only the class: errors from the database may carry confidential parameters.
                log.warning("scheduled job %s failed (%s)", job.name, type(error).__name__)
            elapsed = time.monotonic() - started
            await asyncio.sleep(max(0.0, job.every_seconds - elapsed))
