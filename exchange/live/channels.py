"""The channels plugin and the one function that publishes an event."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Iterable, Sequence
from typing import Any

import msgspec
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from redis.asyncio import Redis
from redis.exceptions import RedisError

__all__ = ["lot_channel", "make_channels_plugin", "org_channel", "publish_event", "publish_events"]


log = logging.getLogger("exchange.live")


class _ResilientPubSubBackend(RedisChannelsPubSubBackend):
    """Survives Redis going away: the plugin's publish and subscribe workers die at the first Redis
    error (and shutdown then waits forever on the publish queue), so errors are absorbed here.
    Live events are best effort; pages catch up on their next fetch."""

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        try:
            await super().publish(data, channels)
        except (RedisError, OSError) as error:
            log.warning("live event dropped: Redis unavailable (%s)", type(error).__name__)

    async def stream_events(self) -> AsyncGenerator[tuple[str, Any], None]:
        while True:
            try:
                async for event in super().stream_events():
                    yield event
            except (RedisError, OSError) as error:
                # redis-py reconnects and subscribes again on the next read.
                log.warning("live events paused: Redis unavailable (%s)", type(error).__name__)
                await asyncio.sleep(0.5)


def make_channels_plugin(redis: Redis) -> ChannelsPlugin:
    return ChannelsPlugin(
        backend=_ResilientPubSubBackend(redis=redis, key_prefix="exchange:live"),
        arbitrary_channels_allowed=True,
        subscriber_max_backlog=200,
        subscriber_backlog_strategy="dropleft",
    )


def lot_channel(lot_id: int) -> str:
    return f"lot:{lot_id}"


def org_channel(org_id: int) -> str:
    return f"org:{org_id}"


def publish_event(app_state: Any, channel: str, event: str, data: dict[str, Any] | None = None) -> None:
    """Fire-and-forget publish; a page that misses it catches up on its next fetch."""
    channels: ChannelsPlugin | None = getattr(app_state, "channels", None)
    if channels is None:
        return
    channels.publish(msgspec.json.encode({"event": event, "data": data or {}}), channels=[channel])


async def publish_events(app_state: Any, events: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
    """Several events in ONE round trip to Redis, for a sender with many at once (the bid counts of
    every busy lot, a few times a second). The plugin's publish makes a script call per event; this
    sends the same messages to the same channels as a pipeline of PUBLISH (the pub/sub backend uses
    the channel names as they are). Best effort, like `publish_event`: never raises."""
    if getattr(app_state, "channels", None) is None or not events:
        return
    try:
        pipe = app_state.redis.pipeline(transaction=False)
        for channel, event, data in events:
            pipe.publish(channel, msgspec.json.encode({"event": event, "data": data}))
        await pipe.execute()
    except (RedisError, OSError) as error:
        log.warning("%d live events dropped: Redis unavailable (%s)", len(events), type(error).__name__)
