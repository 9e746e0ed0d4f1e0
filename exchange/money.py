"""Money at the edges: decimal strings in the API, integer minor units inside. Never floats."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from exchange.errors import Unprocessable

__all__ = ["CURRENCIES", "format_minor", "parse_currency", "parse_money"]

CURRENCIES: dict[str, int] = {"CNY": 2, "USD": 2, "EUR": 2, "HKD": 2, "GBP": 2, "JPY": 0}
"""Accepted currencies and their number of decimal places."""
MAX_MINOR = 10**15  # a quadrillion minor units: far above any lot, far below overflow
_PLAIN = re.compile(r"(\d{1,18})(?:\.(\d{1,2}))?")
"""The usual amount ("40000.00", "7", "0.5"): read as integers, without a Decimal."""


def parse_currency(raw: str | None, *, field: str = "currency") -> str:
    code = (raw or "CNY").strip().upper()
    if code not in CURRENCIES:
        raise Unprocessable(f"Currency {raw!r} is not supported; use one of {', '.join(CURRENCIES)}.", field=field)
    return code


def parse_money(
    raw: str | int | float | Decimal | None, currency: str = "CNY", *, field: str = "amount", allow_zero: bool = False
) -> int:
    """A positive amount like "40000.00" (or a number) as minor units; a clear 422 naming the field otherwise."""
    if raw is None or isinstance(raw, bool):
        raise Unprocessable(f'Give {field} as a decimal string like "40000.00".', field=field)
    places = CURRENCIES.get(currency, 2)
    plain = _PLAIN.fullmatch(raw.strip()) if isinstance(raw, str) else None
    if plain is not None and len(plain[2] or "") <= places:
        minor = int(plain[1]) * 10**places + int((plain[2] or "").ljust(places, "0") or "0")
    else:
        minor = _decimal_minor(raw, places, field)
    if minor == 0 and not allow_zero:
        raise Unprocessable(f"{field} must be more than zero.", field=field)
    if minor > MAX_MINOR:
        raise Unprocessable(f"{field} is too large.", field=field)
    return minor


def _decimal_minor(raw: str | int | float | Decimal, places: int, field: str) -> int:
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise Unprocessable(
            f'{field} must be a decimal amount like "40000.00", not {str(raw)[:40]!r}.', field=field
        ) from None
    if not value.is_finite():
        raise Unprocessable(f"{field} must be a finite amount.", field=field)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise Unprocessable(f"{field} has more than {places} decimal places.", field=field)
    if value < 0:
        raise Unprocessable(f"{field} must be more than zero.", field=field)
    return int((value * (10**places)).to_integral_value(rounding=ROUND_HALF_UP))


def format_minor(minor: int | None, currency: str = "CNY") -> str | None:
    """Minor units as the API's decimal string: 4000000 -> "40000.00"."""
    if minor is None:
        return None
    places = CURRENCIES.get(currency, 2)
    if places == 0:
        return str(minor)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**places)
    return f"{sign}{whole}.{frac:0{places}d}"
