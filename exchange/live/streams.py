"""An SSE response streaming the events of some channels, with a heartbeat to keep proxies open."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Sequence

import msgspec
from litestar.channels import ChannelsPlugin
from litestar.response import ServerSentEvent, ServerSentEventMessage

__all__ = ["event_stream"]

HEARTBEAT_SECONDS = 15.0


async def _messages(channels: ChannelsPlugin, names: Sequence[str]) -> AsyncGenerator[ServerSentEventMessage, None]:
    yield ServerSentEventMessage(event="ready", data="{}")
    async with channels.start_subscription(list(names)) as subscriber:
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
                    yield ServerSentEventMessage(
                        event=str(message.get("event", "message")),
                        data=msgspec.json.encode(message.get("data", {})).decode(),
                    )
        finally:
            if next_event is not None:
                next_event.cancel()


def event_stream(channels: ChannelsPlugin, names: Sequence[str]) -> ServerSentEvent:
    return ServerSentEvent(_messages(channels, names), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
