"""Fire HTTP calls at the app truly at the same time.

`asyncio.gather` over Litestar's AsyncTestClient does NOT overlap requests: its transport hands each
request to the app's event loop with a blocking `portal.call`, which blocks the test's loop until
the answer is complete. Here every call runs in its own thread through the same transport, released
together by a barrier, so the app's loop (one worker, as in production) really serves them at once.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

__all__ = ["RETRY_FOR", "Call", "fire_together", "fire_together_until_answered"]

RETRY_FOR = 60.0
"""Seconds a call answered 503 is retried, as a client would: only a server that never recovers takes this long."""


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


def fire_together_until_answered(client: AsyncTestClient[Litestar], calls: Sequence[Call]) -> list[httpx.Response]:
    """`fire_together`, then what a well-behaved client does with a 503 (busy, overloaded: "nothing was
    changed"): it must say when to retry, and the call is sent again with the same Idempotency-Key until
    it is answered. A loaded machine may overload the server; the answers that count are the final ones."""
    keyed = [Call(c.method, c.url, {"Idempotency-Key": uuid.uuid4().hex, **c.headers}, c.json) for c in calls]
    answers = fire_together(client, keyed)
    give_up = time.monotonic() + RETRY_FOR
    for index, call in enumerate(keyed):
        while answers[index].status_code == 503:
            assert answers[index].headers.get("retry-after"), answers[index].text
            assert time.monotonic() < give_up, f"still 503 after {RETRY_FOR} s: {answers[index].text}"
            time.sleep(0.05)
            answers[index] = fire_together(client, [call])[0]
    return answers
