"""A message to translate later, for whoever reads it: notifications are stored once for an organisation
and shown in each reader's language, so they keep the English msgid and its values, not finished text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from exchange.i18n.catalog import translations
from exchange.i18n.formatting import datetime_text, duration_text, money_text
from exchange.i18n.locales import DEFAULT_LOCALE, current_locale

__all__ = ["Lines", "Money", "Msg", "MsgText", "Series", "Span", "When", "as_msg", "localized", "render_stored"]


@dataclass(frozen=True, slots=True)
class Money:
    """An amount inside a message, shown per the reader's locale (`¥1,140,000.00` / `1,140,000.00 CNY`)."""

    amount: str | None
    currency: str

    def render(self, locale: str) -> str:
        return money_text(self.amount, self.currency, locale)

    def to_json(self) -> dict[str, Any]:
        return {"money": self.amount, "currency": self.currency}


@dataclass(frozen=True, slots=True)
class When:
    """A moment inside a message, shown in the reader's language and time zone."""

    at: datetime

    def render(self, locale: str) -> str:
        return datetime_text(self.at, locale=locale)

    def to_json(self) -> dict[str, Any]:
        return {"time": self.at.isoformat()}


@dataclass(frozen=True, slots=True)
class Span:
    """A length of time inside a message (a rule's span), in the reader's words: '1 hour' / '1小时'."""

    span: timedelta

    def render(self, locale: str) -> str:
        return duration_text(self.span, locale=locale)

    def to_json(self) -> str:
        return duration_text(self.span, locale=DEFAULT_LOCALE)


def _value_from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if "msgid" in value or "lines" in value or "series" in value:
            return Msg.from_json(value)
        if "money" in value:
            return Money(str(value["money"]), str(value.get("currency", "CNY")))
        if "time" in value:
            return When(datetime.fromisoformat(str(value["time"])))
    return value


class Msg:
    """`Msg("Order {order}: shipped", order=12)`: a msgid with `{name}` placeholders and its values.

    A value may itself be a `Msg` (translated in the same language), a `Money` or a `When` (formatted for
    the reader), or anything with `render(locale)` and `to_json()`. `str(msg)` is the English text.
    """

    __slots__ = ("msgid", "values")

    def __init__(self, msgid: str, **values: Any) -> None:
        self.msgid = msgid
        self.values = values

    def render(self, locale: str | None = None) -> str:
        locale = locale or current_locale()
        text = translations(locale).gettext(self.msgid)
        values = {k: v.render(locale) if hasattr(v, "render") else v for k, v in self.values.items()}
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
            "values": {k: v.to_json() if hasattr(v, "to_json") else v for k, v in self.values.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Msg:
        if "lines" in data:
            return Lines([_value_from_json(line) for line in data["lines"]])
        if "series" in data:
            return Series([_value_from_json(part) for part in data["series"]])
        values = {k: _value_from_json(v) for k, v in (data.get("values") or {}).items()}
        return cls(str(data["msgid"]), **values)

    def __repr__(self) -> str:
        return f"Msg({self.msgid!r}, **{self.values!r})"


class Lines(Msg):
    """Text of several lines, each a `Msg` or a plain string (a digest's list of lots), kept as messages."""

    __slots__ = ("lines",)

    def __init__(self, lines: list[Msg | str]) -> None:
        super().__init__("")
        self.lines = lines

    def render(self, locale: str | None = None) -> str:
        locale = locale or current_locale()
        return "\n".join(line.render(locale) if isinstance(line, Msg) else line for line in self.lines)

    def to_json(self) -> dict[str, Any]:
        return {"lines": [line.to_json() if isinstance(line, Msg) else line for line in self.lines]}

    def __repr__(self) -> str:
        return f"Lines({self.lines!r})"


class Series(Msg):
    """Messages in one sentence, one after another, separated as the catalogue translates `", "`."""

    __slots__ = ("parts",)

    def __init__(self, parts: list[Msg | str]) -> None:
        super().__init__("")
        self.parts = parts

    def render(self, locale: str | None = None) -> str:
        locale = locale or current_locale()
        separator = translations(locale).gettext(", ")
        return separator.join(part.render(locale) if isinstance(part, Msg) else part for part in self.parts)

    def to_json(self) -> dict[str, Any]:
        return {"series": [part.to_json() if isinstance(part, Msg) else part for part in self.parts]}

    def __repr__(self) -> str:
        return f"Series({self.parts!r})"


def render_stored(data: dict[str, Any] | None, fallback: str, locale: str | None = None) -> str:
    """A stored `Msg` (its JSON) in `locale`; `fallback` (the stored English text) when there is none."""
    if not data or ("msgid" not in data and "lines" not in data and "series" not in data):
        return fallback
    try:
        return Msg.from_json(data).render(locale)
    except (KeyError, TypeError, ValueError):
        return fallback


def as_msg(text: str | Msg) -> Msg | str:
    """A fixed English phrase as a message to translate (when the catalogue has it); text with braces
    (a user's own words) stays as it is."""
    if isinstance(text, Msg):
        return text
    carried = getattr(text, "msg", None)
    if isinstance(carried, Msg):
        return carried
    if "{" in text or "}" in text:
        return text
    return Msg(text)


class MsgText(str):
    """The English text of a `Msg` that still knows its message: everything that reads it as a string (the
    API's problem+json, logs) gets English, and a page shows it in its reader's language (`localized`)."""

    msg: Msg

    def __new__(cls, msg: Msg, english: str | None = None) -> MsgText:
        """`english`, when given, is what the API answers instead of the message's own English: its fixed
        text (naming routes, codes and minor units) stays as clients know it, while a page shows `msg`."""
        text = super().__new__(cls, msg.render(DEFAULT_LOCALE) if english is None else english)
        text.msg = msg
        return text


def localized(text: str | Msg | None) -> str:
    """A text for a page: a `Msg` (or a `MsgText`) in the current language, a plain string through the
    catalogue (unchanged when the catalogue lacks it)."""
    if text is None:
        return ""
    if isinstance(text, Msg):
        return text.render()
    message = getattr(text, "msg", None)
    if isinstance(message, Msg):
        return message.render()
    return translations(current_locale()).gettext(text) if text else text
