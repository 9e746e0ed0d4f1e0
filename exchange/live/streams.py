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
        while True:
            try:
                raw = await asyncio.wait_for(iterator.__anext__(), timeout=HEARTBEAT_SECONDS)
            except TimeoutError:
                yield ServerSentEventMessage(comment="heartbeat")
                continue
            except StopAsyncIteration:
                return
            with contextlib.suppress(msgspec.DecodeError):
                message = msgspec.json.decode(raw)
                yield ServerSentEventMessage(
                    event=str(message.get("event", "message")),
                    data=msgspec.json.encode(message.get("data", {})).decode(),
                )


def event_stream(channels: ChannelsPlugin, names: Sequence[str]) -> ServerSentEvent:
    return ServerSentEvent(_messages(channels, names), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
