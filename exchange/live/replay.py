"""A bounded log of each channel's recent events in Redis (a capped stream), so a client that reconnects
with `Last-Event-ID` gets what it missed: every event has the id of its log entry.

One script appends `{"event", "data"}` to the log and publishes it with the entry's id added
(`{"id", "event", "data"}`), so the live message and the log agree; a subscriber reads the log after
subscribing and skips live messages it has already replayed.
"""

from __future__ import annotations

import re
from typing import Any

from exchange.redis.routing import AppRedis as Redis

__all__ = [
    "EVENT_ID",
    "LOG_MAX_EVENTS",
    "LOG_TTL_SECONDS",
    "append_and_publish",
    "is_after",
    "log_key",
    "read_after",
]

LOG_MAX_EVENTS = 500
"""About this many recent events are kept per channel (Redis trims the stream approximately)."""
LOG_TTL_SECONDS = 24 * 3600
"""A channel's log is dropped a day after its last event."""
EVENT_ID = re.compile(r"^\d{1,20}-\d{1,20}$")

_APPEND_AND_PUBLISH = """
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'm', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', ARGV[4], '{"id":"' .. id .. '",' .. string.sub(ARGV[1], 2))
return id
"""


def log_key(channel: str) -> str:
    return f"exchange:live:log:{channel}"


def append_and_publish(redis: Redis | Any, channel: str, message: bytes) -> Any:
    """Queue (on a pipeline) or run the script: `message` (a JSON object) logged, and published with its id."""
    limits = (str(LOG_MAX_EVENTS), str(LOG_TTL_SECONDS))
    return redis.eval(_APPEND_AND_PUBLISH, 1, log_key(channel), message.decode(), *limits, channel)


def _id_key(event_id: str) -> tuple[int, int]:
    millis, _, sequence = event_id.partition("-")
    return int(millis), int(sequence or 0)


def is_after(event_id: str, last: str) -> bool:
    return _id_key(event_id) > _id_key(last)


async def read_after(redis: Redis, channels: list[str], last_event_id: str) -> list[tuple[str, bytes]]:
    """Logged events after `last_event_id` on these channels, oldest first (at most LOG_MAX_EVENTS each)."""
    if not EVENT_ID.match(last_event_id):
        return []
    found: list[tuple[str, bytes]] = []
    for channel in channels:
        entries = await redis.xrange(log_key(channel), min="(" + last_event_id, max="+", count=LOG_MAX_EVENTS)
        for entry_id, fields in entries:
            event_id = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
            found.append((event_id, fields.get(b"m") or fields.get("m") or b"{}"))
    found.sort(key=lambda item: _id_key(item[0]))
    return found
