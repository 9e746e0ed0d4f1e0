"""One in-process event dispatcher per app, built in `create_app`'s lifespan with its listeners.

A capability raises an event (a frozen dataclass it owns, e.g. `lots.events.LotLeftSale`) after the
SQL change is committed; the listeners wired in `exchange.app` react in this process (every worker
process builds the same dispatcher, so nothing here is state another process needs). Events that
must survive a crash belong in an outbox table instead.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["EventDispatcher", "Listener"]

log = logging.getLogger("exchange.events")

E = TypeVar("E")
Listener = Callable[[Any], Awaitable[None]]


class EventDispatcher:
    """Calls each listener of an event's type in order. `emit` lets a listener's error through to the
    caller; `emit_best_effort` logs it (class name only) and goes on with the next listener."""

    def __init__(self, listeners: Mapping[type, Sequence[Listener]] | None = None) -> None:
        self._listeners: dict[type, list[Listener]] = {kind: list(found) for kind, found in (listeners or {}).items()}

    def listeners(self, kind: type) -> tuple[Listener, ...]:
        return tuple(self._listeners.get(kind, ()))

    @contextmanager
    def listening(self, kind: type[E], listener: Callable[[E], Awaitable[None]]) -> Iterator[None]:
        """Add a listener for the duration of a `with` block (tests observing events)."""
        self._listeners.setdefault(kind, []).append(listener)
        try:
            yield
        finally:
            self._listeners[kind].remove(listener)

    async def emit(self, event: object) -> None:
        for listener in self.listeners(type(event)):
            await listener(event)

    async def emit_best_effort(self, event: object) -> None:
        for listener in self.listeners(type(event)):
            try:
                await listener(event)
            except Exception as error:
                log.warning("%s: a listener failed (%s)", type(event).__name__, type(error).__name__)
