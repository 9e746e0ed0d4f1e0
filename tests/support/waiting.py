"""Waiting for something the server does on its own (the scheduler's close), polling, with a bound."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = ["eventually"]

T = TypeVar("T")


async def eventually(probe: Callable[[], Awaitable[T | None]], *, within: float, every: float = 0.05) -> T:
    """The first non-None result of `probe()`, polling until `within` seconds have passed."""
    deadline = time.monotonic() + within
    while True:
        result = await probe()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing happened within {within} s")
        await asyncio.sleep(every)
