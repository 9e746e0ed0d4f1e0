"""The texts alerts send: instant alert notifications and mails, and the daily digest. They are messages
(`Msg`): a notification is shown in each reader's language, a mail is written in each member's."""

from __future__ import annotations

from collections.abc import Sequence

from exchange.i18n.messages import Lines, Msg

__all__ = ["alert_text", "digest_text"]


def alert_text(lot_title: str, lot_id: int, search_names: Sequence[str]) -> tuple[Msg, Msg]:
    """(title, body) of one instant alert: a lot that went live and the saved searches it matches."""
    names = ", ".join(f"“{name}”" for name in search_names)
    title = (
        Msg("New lot for your saved searches {names}: {title}", names=names, title=lot_title[:150])
        if len(search_names) > 1
        else Msg("New lot for your saved search {names}: {title}", names=names, title=lot_title[:150])
    )
    body = Msg(
        "{title} is live and matches {names}. See it at /lots/{lot_id}.", title=lot_title, names=names, lot_id=lot_id
    )
    return title, body


def digest_text(lots: Sequence[tuple[int, str, str]], suggestions: Sequence[tuple[int, str, str]]) -> tuple[Msg, Msg]:
    """(subject, body) of a daily digest: (lot id, title, search name) found, and (lot id, title, reason) suggested."""
    parts: list[Msg | str] = []
    if lots:
        parts.append(Msg("New lots for your saved searches:"))
        parts.extend(
            Msg("- {title} (for “{name}”): /lots/{lot_id}", title=title, name=name, lot_id=lot_id)
            for lot_id, title, name in lots
        )
    if suggestions:
        parts.append("")
        parts.append(Msg("Lots like the ones you buy:"))
        parts.extend(f"- {title}: /lots/{lot_id}. {reason}" for lot_id, title, reason in suggestions)
    parts.append("")
    parts.append(Msg("Manage your saved searches and suggestions at /saved-searches."))
    parts.append("")
    count = len(lots) + len(suggestions)
    subject = (
        Msg("Your daily digest: 1 lot for you")
        if count == 1
        else Msg("Your daily digest: {count} lots for you", count=count)
    )
    return subject, Lines(parts)
