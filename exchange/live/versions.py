"""Versioned live events: a subscriber never gets an older state after a newer one.

An event whose data carries an integer `version` (a lot's `bids {count, version}`: the bid engine's
sequence of that lot, which only grows) describes a state that a higher version replaces. Several
processes publish such events for one lot, each a little later than it took its bid, so they can reach
Redis out of order. One stream (of one lot's channel) keeps, per event name, the highest version it has
sent and drops any event at or below it. Clients that read the events themselves do the same (README, "Live
events with resume"), which also covers a reconnect to another process.
"""

from __future__ import annotations

from typing import Any

__all__ = ["NewestOnly", "version_of"]


def version_of(message: dict[str, Any]) -> int | None:
    """The event's version, or None for an event without one (those are never dropped)."""
    data = message.get("data")
    version = data.get("version") if isinstance(data, dict) else None
    return version if isinstance(version, int) and not isinstance(version, bool) else None


class NewestOnly:
    """Per stream: lets through an event only if its version is above every one of its name sent before."""

    def __init__(self) -> None:
        self._sent: dict[str, int] = {}

    def keep(self, message: dict[str, Any]) -> bool:
        version = version_of(message)
        if version is None:
            return True
        key = str(message.get("event", ""))
        if version <= self._sent.get(key, -1):
            return False
        self._sent[key] = version
        return True
