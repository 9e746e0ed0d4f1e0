"""Periodic jobs run inside every server process.

Each capability lists its jobs as `JOBS = (Job(name, every_seconds, run), ...)` in its `jobs.py`;
`exchange.app` passes them all to the `Scheduler` its lifespan starts (`SCHEDULER=off` turns them off).
Each job runs in its own asyncio task, `await run(runtime)` every `every_seconds`. Every worker
process runs every job, so a job must be safe to run concurrently with itself in other processes:
make its changes conditional (an atomic Redis script, a conditional UPDATE ... WHERE status = 'live',
a claim row) so that doing it twice does nothing the second time. A job that raises is logged (class
name only) and runs again next period; one slow run delays only its own job.

    async def expire_listings(runtime: Runtime) -> None: ...

    JOBS = (Job("lots.expire-listings", 30.0, expire_listings),)
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from exchange.runtime import Runtime

__all__ = ["Job", "Scheduler"]

log = logging.getLogger("exchange.scheduler")

JobFunction = Callable[["Runtime"], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    every_seconds: float
    run: JobFunction

    def __post_init__(self) -> None:
        if self.every_seconds <= 0:
            raise ValueError("every_seconds must be positive")


class Scheduler:
    """Runs the given jobs for one app until stopped."""

    def __init__(self, runtime: Runtime, jobs: Sequence[Job]) -> None:
        names = [job.name for job in jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"two jobs share a name: {sorted(names)}")
        self.runtime = runtime
        self.jobs = tuple(jobs)
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
                await job.run(self.runtime)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                # Only the class: errors from the database may carry confidential parameters.
                log.warning("scheduled job %s failed (%s)", job.name, type(error).__name__)
            elapsed = time.monotonic() - started
            await asyncio.sleep(max(0.0, job.every_seconds - elapsed))
