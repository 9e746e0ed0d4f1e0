"""An SSE response streaming the events of some channels, with a heartbeat to keep proxies open.

Every event has an `id`; a client that reconnects with `Last-Event-ID` first gets the events it missed
from the channels' bounded logs (exchange.live.replay), then the live ones, none twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Sequence
from typing import Any

import msgspec
from litestar.channels import ChannelsPlugin
from litestar.response import ServerSentEvent, ServerSentEventMessage
from redis.exceptions import RedisError

from exchange.live.replay import EVENT_ID, is_after, read_after
from exchange.live.versions import NewestOnly
from exchange.redis.routing import AppRedis as Redis

__all__ = ["event_stream"]

HEARTBEAT_SECONDS = 15.0


def _sse(event_id: str | None, message: dict[str, Any]) -> ServerSentEventMessage:
    return ServerSentEventMessage(
        id=event_id,
        event=str(message.get("event", "message")),
        data=msgspec.json.encode(message.get("data", {})).decode(),
    )


async def _messages(
    channels: ChannelsPlugin, names: Sequence[str], redis: Redis | None = None, last_event_id: str | None = None
) -> AsyncGenerator[ServerSentEventMessage, None]:
    yield ServerSentEventMessage(event="ready", data="{}")
    async with channels.start_subscription(list(names)) as subscriber:
        seen = last_event_id if last_event_id and EVENT_ID.match(last_event_id) else ""
        newest = NewestOnly()  # a versioned event older than one already sent is dropped
        if redis is not None and seen:
            with contextlib.suppress(RedisError, OSError):  # no replay while Redis is away: live events only
                for event_id, raw in await read_after(redis, list(names), seen):
                    with contextlib.suppress(msgspec.DecodeError):
                        replayed = msgspec.json.decode(raw)
                        seen = event_id
                        if newest.keep(replayed):
                            yield _sse(event_id, replayed)
        iterator = subscriber.iter_events().__aiter__()
        # The wait for the next event outlives a heartbeat: cancelling it (as wait_for does on its
        # timeout) would close the subscriber's generator, ending the stream after 15 quiet seconds,
        # and an event published while the browser reconnects (a lot's close) would be lost.
        next_event: asyncio.Future[bytes] | None = None
        try:
            while True:
                if next_event is None:
                    next_event = asyncio.ensure_future(iterator.__anext__())
                done, _ = await asyncio.wait({next_event}, timeout=HEARTBEAT_SECONDS)
                if not done:
                    yield ServerSentEventMessage(comment="heartbeat")
                    continue
                arrived, next_event = next_event, None
                try:
                    raw = arrived.result()
                except StopAsyncIteration:
                    return
                with contextlib.suppress(msgspec.DecodeError):
                    message = msgspec.json.decode(raw)
                    live_id = message.get("id") if isinstance(message.get("id"), str) else None
                    if live_id and seen and not is_after(live_id, seen):
                        continue  # already replayed from the log
                    if newest.keep(message):
                        yield _sse(live_id, message)
        finally:
            if next_event is not None:
                next_event.cancel()


def event_stream(
    channels: ChannelsPlugin, names: Sequence[str], *, redis: Redis | None = None, last_event_id: str | None = None
) -> ServerSentEvent:
    """The stream of these channels; with `redis` and a `last_event_id`, the logged events after it come first."""
    return ServerSentEvent(
        _messages(channels, names, redis, last_event_id),
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
