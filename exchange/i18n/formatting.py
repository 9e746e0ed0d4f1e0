"""Numbers, money, dates and times in the current locale and time zone (Babel)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from babel.units import format_unit

from exchange.i18n.locales import current_locale, current_time_zone

__all__ = ["amount_text", "date_text", "datetime_text", "duration_text", "money_text", "number_text"]

_DATETIME = {"en": "d MMM y, HH:mm", "zh_CN": "y年M月d日 HH:mm"}
_DATETIME_SECONDS = {"en": "d MMM y, HH:mm:ss", "zh_CN": "y年M月d日 HH:mm:ss"}
_DATE = {"en": "d MMM y", "zh_CN": "y年M月d日"}


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def money_text(amount: object, currency: str = "CNY", locale: str | None = None) -> str:
    """`1140000.00` CNY: `¥1,140,000.00` in Chinese, `1,140,000.00 CNY` in English; text that is not a
    number comes back as it was."""
    number = _decimal(amount)
    if number is None:
        return "" if amount is None else str(amount)
    locale = locale or current_locale()
    if locale == "zh_CN":
        return format_currency(number, currency, locale="zh_CN")
    return f"{format_decimal(number, format='#,##0.00', locale='en')} {currency}"


def amount_text(amount: object, locale: str | None = None) -> str:
    """An amount of money without its currency (a table column that names it): `14,000.00`."""
    number = _decimal(amount)
    if number is None:
        return "" if amount is None else str(amount)
    return format_decimal(number, format="#,##0.00", locale=locale or current_locale())


def number_text(value: object, locale: str | None = None) -> str:
    """A count or quantity with the locale's thousands separators (`12,500`); decimals kept as given."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    return format_decimal(number, locale=locale or current_locale(), decimal_quantization=False)


def datetime_text(value: datetime | None, *, seconds: bool = False, locale: str | None = None) -> str:
    """A moment in the viewer's time zone: `22 Nov 2026, 16:05` / `2026年11月22日 16:05`."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    locale = locale or current_locale()
    pattern = (_DATETIME_SECONDS if seconds else _DATETIME).get(locale, _DATETIME["en"])
    return format_datetime(value, pattern, tzinfo=current_time_zone(), locale=locale)


def date_text(value: date | datetime | None, locale: str | None = None) -> str:
    if value is None:
        return ""
    locale = locale or current_locale()
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(current_time_zone()).date()
    return format_date(value, _DATE.get(locale, _DATE["en"]), locale=locale)


def duration_text(span: timedelta, locale: str | None = None) -> str:
    """'1 hour' / '1小时', '90 minutes': a rule's span (an operator's setting) in the reader's words, exactly."""
    seconds = int(span.total_seconds())
    for unit, size in (("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds % size == 0 and seconds >= size:
            return format_unit(seconds // size, f"duration-{unit}", locale=locale or current_locale())
    return format_unit(seconds, "duration-second", locale=locale or current_locale())
