"""Which languages and time zones the exchange speaks, and which one a request or a task is using."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from http.cookies import CookieError, SimpleCookie
from zoneinfo import ZoneInfo, available_timezones

__all__ = [
    "DEFAULT_LOCALE",
    "DEFAULT_TIME_ZONE",
    "LANG_COOKIE",
    "LOCALES",
    "TIME_ZONES",
    "TZ_COOKIE",
    "current_locale",
    "current_time_zone",
    "from_accept_language",
    "normalize_locale",
    "normalize_time_zone",
    "set_current",
    "set_for_request",
    "using",
]

LOCALES: dict[str, str] = {"en": "English", "zh_CN": "中文"}
"""Supported locales and the name each shows in the language switcher (in its own language)."""
DEFAULT_LOCALE = "en"
"""Without a choice or an Accept-Language we understand: English."""
DEFAULT_TIME_ZONE = "Asia/Shanghai"
TIME_ZONES: tuple[str, ...] = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
)
"""Time zones offered on the settings form (any IANA name is accepted)."""

LANG_COOKIE = "sx_lang"
TZ_COOKIE = "sx_tz"
"""The switcher's choices, remembered in the browser."""

_locale: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)
_time_zone: ContextVar[str] = ContextVar("time_zone", default=DEFAULT_TIME_ZONE)


def normalize_locale(value: str | None) -> str | None:
    """`zh`, `zh-CN`, `zh_Hans`, `zh-hans-cn` -> `zh_CN`; `en-GB` -> `en`; anything else -> None."""
    if not value:
        return None
    tag = value.strip().replace("_", "-").lower()
    if tag == "zh" or tag.startswith(("zh-cn", "zh-hans", "zh-sg")):
        return "zh_CN"
    if tag == "en" or tag.startswith("en-"):
        return "en"
    return None


def normalize_time_zone(value: str | None) -> str | None:
    """An IANA time zone name we know, or None."""
    if not value or value not in _known_zones():
        return None
    return value


_ZONES: set[str] = set()


def _known_zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
        _ZONES.add("UTC")
    return _ZONES


def from_accept_language(header: str | None) -> str | None:
    """The supported locale the browser prefers most (quality weights respected), or None."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        locale = normalize_locale(tag)
        if locale and quality > 0:
            ranked.append((-quality, position, locale))
    return min(ranked)[2] if ranked else None


def current_locale() -> str:
    return _locale.get()


def current_time_zone() -> ZoneInfo:
    return ZoneInfo(_time_zone.get())


def set_current(locale: str, time_zone: str = DEFAULT_TIME_ZONE) -> None:
    """Use `locale` and `time_zone` for the rest of this task (a request)."""
    _locale.set(locale)
    _time_zone.set(time_zone)


@contextmanager
def using(locale: str | None, time_zone: str | None = None) -> Iterator[None]:
    """Speak `locale` inside the block (an e-mail written for its recipient), then go back."""
    token = _locale.set(normalize_locale(locale) or DEFAULT_LOCALE)
    zone_token = _time_zone.set(normalize_time_zone(time_zone) or _time_zone.get())
    try:
        yield
    finally:
        _locale.reset(token)
        _time_zone.reset(zone_token)


def _cookies(headers: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    for name, value in headers:
        if name == b"cookie":
            try:
                jar: SimpleCookie = SimpleCookie(value.decode("latin-1"))
            except CookieError:
                return {}
            return {key: morsel.value for key, morsel in jar.items()}
    return {}


def set_for_request(path: str, headers: Iterable[tuple[bytes, bytes]]) -> None:
    """The language and time zone of a request (its ASGI headers): the JSON API always English; a page the
    switcher's choice (a cookie), else its Accept-Language, else English."""
    if path.startswith("/api"):
        set_current(DEFAULT_LOCALE, DEFAULT_TIME_ZONE)
        return
    headers = list(headers)
    cookies = _cookies(headers)
    accept = next((value.decode("latin-1") for name, value in headers if name == b"accept-language"), None)
    locale = normalize_locale(cookies.get(LANG_COOKIE)) or from_accept_language(accept) or DEFAULT_LOCALE
    set_current(locale, normalize_time_zone(cookies.get(TZ_COOKIE)) or DEFAULT_TIME_ZONE)
