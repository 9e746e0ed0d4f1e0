"""Shutdown steps with a hard time bound: a wedged job or connection never keeps a process from stopping."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

__all__ = ["SHUTDOWN_GRACE_SECONDS", "SHUTDOWN_STEP_SECONDS", "bounded"]

log = logging.getLogger("exchange.app")

SHUTDOWN_STEP_SECONDS = 10.0
"""How long one step (the scheduler, the bid engine, a client) may take to stop on its own."""
SHUTDOWN_GRACE_SECONDS = 1.0
"""Then how long it gets to end once cancelled, before it is left behind."""

_left_behind: set[asyncio.Future[object]] = set()
"""Steps that ignored their cancellation: kept referenced until they end (or the loop closes)."""


async def bounded(step: Awaitable[object], name: str) -> None:
    """Run one shutdown step for at most SHUTDOWN_STEP_SECONDS + SHUTDOWN_GRACE_SECONDS; never raises.

    Not `asyncio.wait_for`: after its timeout that cancels the step and then waits, without any bound,
    until the step has ended, so a step that swallows or ignores its cancellation (a job caught in a
    loop, a close waiting on a dead peer) would hang the shutdown. Here such a step is left behind.
    """
    task = asyncio.ensure_future(step)
    done, _pending = await asyncio.wait({task}, timeout=SHUTDOWN_STEP_SECONDS)
    if not done:
        task.cancel()
        done, _pending = await asyncio.wait({task}, timeout=SHUTDOWN_GRACE_SECONDS)
        log.warning(
            "shutdown: %s did not stop within %.0f s%s",
            name,
            SHUTDOWN_STEP_SECONDS,
            "" if done else "; left behind",
        )
        if not done:
            _left_behind.add(task)
            task.add_done_callback(_left_behind.discard)
            return
    if not task.cancelled() and task.exception() is not None:
        log.warning("shutdown: %s failed (%s)", name, type(task.exception()).__name__)
