"""A stream resumed with Last-Event-ID: the logged events after it first, then live ones, none twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import msgspec

from exchange.live import streams


class _Subscriber:
    def __init__(self, queue: asyncio.Queue[bytes]) -> None:
        self.queue = queue

    async def iter_events(self) -> AsyncGenerator[bytes, None]:
        while True:
            yield await self.queue.get()


class _Channels:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()

    @asynccontextmanager
    async def start_subscription(self, names: list[str]) -> AsyncIterator[_Subscriber]:
        yield _Subscriber(self.queue)


class _Log:
    """The channel's log as Redis keeps it: (id, {b"m": message})."""

    def __init__(self, entries: list[tuple[str, dict[str, Any]]]) -> None:
        self.entries = [(event_id, {b"m": msgspec.json.encode(message)}) for event_id, message in entries]

    async def xrange(self, key: str, min: str, max: str, count: int) -> list[tuple[bytes, dict[bytes, bytes]]]:
        after = tuple(int(part) for part in min.removeprefix("(").split("-"))
        return [
            (event_id.encode(), fields)
            for event_id, fields in self.entries
            if tuple(int(part) for part in event_id.split("-")) > after
        ][:count]


def _live(event_id: str, count: int) -> bytes:
    return msgspec.json.encode({"id": event_id, "event": "bids", "data": {"count": count}})


async def test_missed_events_come_first_then_live_ones_without_repeats() -> None:
    channels = _Channels()
    log = _Log([("100-0", {"event": "bids", "data": {"count": 1}}), ("200-0", {"event": "bids", "data": {"count": 2}})])
    # Published while the client reconnected: already in the log, and heard live too.
    channels.queue.put_nowait(_live("200-0", 2))
    channels.queue.put_nowait(_live("300-0", 3))
    stream = streams._messages(channels, ["lot:1"], log, "100-0")  # type: ignore[arg-type]

    received = [await asyncio.wait_for(anext(stream), timeout=5) for _ in range(3)]
    await stream.aclose()

    assert [(m.event, m.id, m.data) for m in received] == [
        ("ready", None, "{}"),
        ("bids", "200-0", '{"count":2}'),
        ("bids", "300-0", '{"count":3}'),
    ]


async def test_a_stream_without_last_event_id_sends_live_events_with_their_ids() -> None:
    channels = _Channels()
    channels.queue.put_nowait(_live("5-0", 1))
    stream = streams._messages(channels, ["lot:1"], _Log([]), None)  # type: ignore[arg-type]

    received = [await asyncio.wait_for(anext(stream), timeout=5) for _ in range(2)]
    await stream.aclose()

    assert [(m.event, m.id) for m in received] == [("ready", None), ("bids", "5-0")]
