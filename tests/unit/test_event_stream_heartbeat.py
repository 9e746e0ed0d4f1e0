"""A live stream stays open through quiet spells: heartbeats, then the next event still arrives."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import msgspec
import pytest

from exchange.live import streams


class _Subscriber:
    def __init__(self, queue: asyncio.Queue[bytes]) -> None:
        self.queue = queue

    async def iter_events(self) -> AsyncGenerator[bytes, None]:  # like Litestar's: a generator over a queue
        while True:
            yield await self.queue.get()


class _Channels:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()

    @asynccontextmanager
    async def start_subscription(self, names: list[str]) -> AsyncIterator[_Subscriber]:
        yield _Subscriber(self.queue)


async def test_an_event_after_a_quiet_spell_still_reaches_the_open_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streams, "HEARTBEAT_SECONDS", 0.05)
    channels = _Channels()
    stream = streams._messages(channels, ["lot:1"])  # type: ignore[arg-type]
    received: list[Any] = [await anext(stream)]
    for _ in range(2):  # two quiet spells, each answered by a heartbeat
        received.append(await anext(stream))
    channels.queue.put_nowait(msgspec.json.encode({"event": "closed", "data": {"status": "awarded"}}))
    received.append(await asyncio.wait_for(anext(stream), timeout=5))
    await stream.aclose()

    assert [(m.event, m.comment) for m in received] == [
        ("ready", None),
        (None, "heartbeat"),
        (None, "heartbeat"),
        ("closed", None),
    ]
    assert received[-1].data == '{"status":"awarded"}'
