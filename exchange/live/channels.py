"""The channels plugin and the one function that publishes an event."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from redis.asyncio import Redis

__all__ = ["lot_channel", "make_channels_plugin", "org_channel", "publish_event"]


def make_channels_plugin(redis: Redis) -> ChannelsPlugin:
    return ChannelsPlugin(
        backend=RedisChannelsPubSubBackend(redis=redis, key_prefix="exchange:live"),
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
