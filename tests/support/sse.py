"""Read Server-Sent Events as a client would (`id:`, `event:`, `data:` lines; a blank line ends an event)."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ["Event", "follow", "read_until"]


@dataclass(frozen=True)
class Event:
    name: str
    data: dict[str, Any]
    id: str | None


def _events(lines: Iterator[str]) -> Iterator[Event]:
    fields: dict[str, str] = {}
    for line in lines:
        if not line:
            if "event" in fields or "data" in fields:
                yield Event(fields.get("event", "message"), json.loads(fields.get("data") or "{}"), fields.get("id"))
            fields = {}
        elif not line.startswith(":"):  # a comment: the heartbeat
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")


def read_until(
    http: httpx.Client, path: str, until: Callable[[Event], bool], *, last_event_id: str | None = None
) -> list[Event]:
    """Open the stream (resuming after `last_event_id`), collect events until one satisfies `until`."""
    headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
    seen: list[Event] = []
    with http.stream("GET", path, headers=headers, timeout=20) as answer:
        assert answer.status_code == 200, answer.read()
        assert answer.headers["content-type"].startswith("text/event-stream")
        for event in _events(answer.iter_lines()):
            seen.append(event)
            if until(event):
                return seen
    raise AssertionError(f"the stream ended before the event came: {seen}")


@contextmanager
def follow(http: httpx.Client, path: str) -> Iterator[queue.Queue[Event]]:
    """The stream's events, read in a thread into a queue; yields once the stream said `ready`.

    `http` is the stream's own client: it is closed at the end, which ends the stream."""
    events: queue.Queue[Event] = queue.Queue()

    def read() -> None:
        try:
            with http.stream("GET", path, timeout=30) as answer:
                for event in _events(answer.iter_lines()):
                    events.put(event)
        except (httpx.HTTPError, RuntimeError):
            return  # the client was closed

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert events.get(timeout=20).name == "ready"
    try:
        yield events
    finally:
        http.close()
        reader.join(timeout=5)
