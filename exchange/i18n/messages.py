"""A message to translate later, for whoever reads it: notifications are stored once for an organisation
and shown in each reader's language, so they keep the English msgid and its values, not finished text."""

from __future__ import annotations

from typing import Any

from exchange.i18n.catalog import translations
from exchange.i18n.locales import DEFAULT_LOCALE, current_locale

__all__ = ["Msg", "render_stored"]


class Msg:
    """`Msg("Order {order}: shipped", order=12)`: a msgid with `{name}` placeholders and its values.

    A value may itself be a `Msg` (translated in the same language). `str(msg)` is the English text.
    """

    __slots__ = ("msgid", "values")

    def __init__(self, msgid: str, **values: Any) -> None:
        self.msgid = msgid
        self.values = values

    def render(self, locale: str | None = None) -> str:
        locale = locale or current_locale()
        text = translations(locale).gettext(self.msgid)
        values = {k: v.render(locale) if isinstance(v, Msg) else v for k, v in self.values.items()}
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            # A translation with a broken placeholder must not lose the message: fall back to English.
            return self.msgid.format(**values)

    def __str__(self) -> str:
        return self.render(DEFAULT_LOCALE)

    def to_json(self) -> dict[str, Any]:
        return {
            "msgid": self.msgid,
            "values": {k: v.to_json() if isinstance(v, Msg) else v for k, v in self.values.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Msg:
        values = {
            k: cls.from_json(v) if isinstance(v, dict) and "msgid" in v else v
            for k, v in (data.get("values") or {}).items()
        }
        return cls(str(data["msgid"]), **values)

    def __repr__(self) -> str:
        return f"Msg({self.msgid!r}, **{self.values!r})"


def render_stored(data: dict[str, Any] | None, fallback: str, locale: str | None = None) -> str:
    """A stored `Msg` (its JSON) in `locale`; `fallback` (the stored English text) when there is none."""
    if not data or "msgid" not in data:
        return fallback
    try:
        return Msg.from_json(data).render(locale)
    except (KeyError, TypeError, ValueError):
        return fallback
