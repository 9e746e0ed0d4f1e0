"""The page language: chosen per request (cookie set by the switcher, else Accept-Language, else English),
given to Jinja (`_()`, `{% trans %}`, money/number/time filters) and changed by the switcher form."""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from exchange.i18n.catalog import gettext, ngettext
from exchange.i18n.formatting import amount_text, date_text, datetime_text, money_text, number_text
from exchange.i18n.locales import (
    LANG_COOKIE,
    LOCALES,
    TIME_ZONES,
    TZ_COOKIE,
    current_locale,
    current_time_zone,
    set_for_request,
)
from exchange.i18n.messages import localized, render_stored
from exchange.specs.catalog import get_catalog

__all__ = [
    "LANG_COOKIE",
    "TZ_COOKIE",
    "LanguageMiddleware",
    "configure_i18n",
    "translate_detail",
]


class LanguageMiddleware(ASGIMiddleware):
    """Sets the locale and time zone of the request. The JSON API always answers in English (stable codes)."""

    scopes = ("http",)  # type: ignore[assignment]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        set_for_request(scope.get("path", ""), scope.get("headers", ()))
        await next_app(scope, receive, send)


def translate_detail(text: str | None) -> str:
    """A message from a service (an error's detail, a flash) in the page's language: a message carried by
    the text, or the catalogue's translation of it (the text itself when there is none)."""
    return localized(text)


@pass_context
def _notification_text(context: Any, note: Any, part: str) -> str:
    stored = (getattr(note, "message", None) or {}).get(part)
    return render_stored(stored, getattr(note, part, ""))


def category_name(code: str | None) -> str:
    """A catalogue category's name in the page language (its code when the catalogue lacks it)."""
    category = get_catalog().get(code or "")
    return category.local_name if category else (code or "")


def category_label(code: str | None) -> str:
    """`Parent > Child` in the page language."""
    return get_catalog().local_label_of(code or "")


def spec_label(category_code: str | None, key: str) -> str:
    """A spec field's label in the page language (the key in words when the category lacks it)."""
    category = get_catalog().get(category_code or "")
    spec_field = category.field(key) if category else None
    return spec_field.local_label if spec_field else key.replace("_", " ")


def spec_choice(category_code: str | None, key: str, value: object) -> str:
    """A spec's enum value in the page language (the value as it is for other types or unknown fields)."""
    category = get_catalog().get(category_code or "")
    spec_field = category.field(key) if category else None
    return spec_field.local_choice(str(value)) if spec_field and spec_field.type == "enum" else str(value)


def configure_i18n(env: Any) -> None:
    env.add_extension("jinja2.ext.i18n")
    # {% trans %} blocks are trimmed (line breaks and indentation folded to one space), as extraction does.
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals["current_locale"] = current_locale
    env.globals["LOCALES"] = LOCALES
    env.globals["TIME_ZONES"] = TIME_ZONES
    env.globals["current_time_zone"] = lambda: str(current_time_zone())
    env.globals["html_lang"] = lambda: "zh-CN" if current_locale() == "zh_CN" else "en"
    env.globals["notification_text"] = _notification_text
    env.globals["spec_label"] = spec_label
    env.globals["spec_choice"] = spec_choice
    env.filters["money"] = money_text
    env.filters["number"] = number_text
    env.filters["amount"] = amount_text
    env.filters["when"] = datetime_text
    env.filters["when_seconds"] = lambda value: datetime_text(value, seconds=True)
    env.filters["day"] = date_text
    env.filters["tr"] = translate_detail
    env.filters["cat_name"] = category_name
    env.filters["cat_label"] = category_label
