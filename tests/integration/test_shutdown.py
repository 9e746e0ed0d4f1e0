"""The app's lifespan ends within a bound even when one of its periodic jobs is wedged (ignores being
cancelled): a server stops, whatever a job is caught in."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any

import pytest

from exchange import shutdown
from exchange.app import create_app
from exchange.scheduler import Job
from exchange.settings import Settings
from tests.support.threads import seconds_to_finish

STEP_SECONDS = 0.5


def test_a_wedged_job_does_not_keep_the_app_from_stopping(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutdown, "SHUTDOWN_STEP_SECONDS", STEP_SECONDS)
    running = threading.Event()

    async def wedged(_runtime: Any) -> None:
        running.set()
        while True:  # caught in a loop that also catches its own cancellation
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(3600)

    async def start_then_stop() -> None:
        # The ASGI lifespan as a server runs it (granian then closes the loop without waiting for
        # tasks left behind; the test client's portal would wait for them forever).
        async with create_app(settings, jobs=[Job("test.wedged", 3600, wedged)]).lifespan():
            assert await asyncio.to_thread(running.wait, 10)

    took = seconds_to_finish(start_then_stop, within=30)
    assert took is not None, "the app never finished stopping"
    print(f"started, then stopped with a wedged job, in {took:.1f} s")
