"""Run a coroutine on its own event loop in a daemon thread, so that a test can fail instead of hang."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any

__all__ = ["seconds_to_finish"]


def seconds_to_finish(make: Callable[[], Coroutine[Any, Any, object]], *, within: float) -> float | None:
    """How long `make()` took to run on a new event loop in a thread of its own; None when it had not ended
    after `within` s (the thread is left running: it is a daemon). Tasks it left behind are not waited for
    (`asyncio.run` would cancel them and wait for them to end, which a wedged task never does)."""
    finished = threading.Event()

    def run() -> None:
        loop = asyncio.new_event_loop()
        loop.run_until_complete(make())
        finished.set()

    started = time.monotonic()
    threading.Thread(target=run, daemon=True, name="seconds-to-finish").start()
    if not finished.wait(within):
        return None
    return time.monotonic() - started
