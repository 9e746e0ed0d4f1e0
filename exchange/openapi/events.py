"""How the live event streams are documented: a `text/event-stream` answer, its event names and payloads."""

from __future__ import annotations

from typing import Any

__all__ = ["EVENT_STREAM_DOCS"]

_FORMAT = (
    "Server-Sent Events (`text/event-stream`). Each event has `id:`, `event:` and a JSON `data:` line; a "
    "`ready` event (no id) opens the stream and a comment line is sent every 15 s. Reconnect with the header "
    "`Last-Event-ID: <last id>` to receive first the events you missed (the latest few hundred per stream, "
    "kept for a day), then live ones, none twice. Send `Authorization: Bearer <token>` like any API call."
)
_LOT_EVENTS = (
    "\n\nEvents: `bids` `{count}` (sealed bids now standing, a few times a second at most); "
    "`status` `{status?}` (the lot changed state: re-read it with GET /api/lots/{lot_id}); "
    "`closed` `{status}` (bidding closed: `awarded` or `unsold`)."
)
_MY_EVENTS = (
    "\n\nEvents: `notification` `{kind}` (a new notification for your organisation: read them with "
    "GET /api/notifications; `kind` says what happened, e.g. `lot_sold`, `saved_search_alert`)."
)


def _stream(description: str) -> dict[str, Any]:
    return {
        "description": _FORMAT + description,
        "responses": {
            "200": {
                "description": "An endless stream of Server-Sent Events",
                "content": {"text/event-stream": {"schema": {"type": "string"}}},
            }
        },
    }


EVENT_STREAM_DOCS: dict[str, dict[str, Any]] = {
    "/events/me": _stream(_MY_EVENTS),
    "/events/lots/{lot_id}": _stream(_LOT_EVENTS),
}
"""Per path, the operation fields the refiner sets (its error answers are added after, like any other's)."""
