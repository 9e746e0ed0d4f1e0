"""The texts alerts send: instant alert notifications and mails, and the daily digest."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["alert_text", "digest_text"]


def alert_text(lot_title: str, lot_id: int, search_names: Sequence[str]) -> tuple[str, str]:
    """(title, body) of one instant alert: a lot that went live and the saved searches it matches."""
    names = ", ".join(f"“{name}”" for name in search_names)
    title = f"New lot for your saved search{'es' if len(search_names) > 1 else ''} {names}: {lot_title}"
    body = f"{lot_title} is live and matches {names}. See it at /lots/{lot_id}."
    return title[:200], body


def digest_text(lots: Sequence[tuple[int, str, str]], suggestions: Sequence[tuple[int, str, str]]) -> tuple[str, str]:
    """(subject, body) of a daily digest: (lot id, title, search name) found, and (lot id, title, reason) suggested."""
    parts = []
    if lots:
        parts.append("New lots for your saved searches:")
        parts.extend(f"- {title} (for “{name}”): /lots/{lot_id}" for lot_id, title, name in lots)
    if suggestions:
        parts.append("")
        parts.append("Lots like the ones you buy:")
        parts.extend(f"- {title}: /lots/{lot_id}. {reason}" for lot_id, title, reason in suggestions)
    parts.append("")
    parts.append("Manage your saved searches and suggestions at /saved-searches.")
    count = len(lots) + len(suggestions)
    subject = f"Your daily digest: {count} lot{'s' if count != 1 else ''} for you"
    return subject, "\n".join(parts) + "\n"
