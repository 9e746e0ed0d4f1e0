"""Fire HTTP calls at the app truly at the same time.

`asyncio.gather` over Litestar's AsyncTestClient does NOT overlap requests: its transport hands each
request to the app's event loop with a blocking `portal.call`, which blocks the test's loop until
the answer is complete. Here every call runs in its own thread through the same transport, released
together by a barrier, so the app's loop (one worker, as in production) really serves them at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

__all__ = ["Call", "fire_together"]


@dataclass
class Call:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None
    delay: float = 0.0
    """Seconds to hold this call back after the others are released (to let either side win a race)."""


def fire_together(client: AsyncTestClient[Litestar], calls: Sequence[Call]) -> list[httpx.Response]:
    """Send every call at once (one thread each); the answers in the order of `calls`."""
    transport: Any = client._transport  # the app's test transport, usable synchronously from any thread
    barrier = threading.Barrier(len(calls))

    base = str(client.base_url).rstrip("/")

    def send(call: Call) -> httpx.Response:
        request = httpx.Request(call.method, base + call.url, headers=call.headers, json=call.json)
        barrier.wait()
        if call.delay:
            time.sleep(call.delay)
        response: httpx.Response = transport.handle_request(request)
        response.read()
        return response

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(send, calls))
