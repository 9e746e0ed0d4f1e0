"""Money at the edges: decimal strings in the API, integer minor units inside. Never floats."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from exchange.errors import Unprocessable
from exchange.i18n.messages import Msg

__all__ = ["CURRENCIES", "format_minor", "parse_currency", "parse_money", "round_half_up"]

CURRENCIES: dict[str, int] = {"CNY": 2, "USD": 2, "EUR": 2, "HKD": 2, "GBP": 2, "JPY": 0}
"""Accepted currencies and their number of decimal places."""
MAX_MINOR = 10**15  # a quadrillion minor units: far above any lot, far below overflow
_PLAIN = re.compile(r"([0-9]{1,18})(?:\.([0-9]{1,2}))?")
"""The usual amount ("40000.00", "7", "0.5"): read as integers, without a Decimal."""
_DECIMAL = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")
"""Every amount we accept, and negative ones (refused with their own reason): plain ASCII digits, at most
one point with digits after it. No signs, exponents, digit separators or non-ASCII digits, which Python's
int() and Decimal() would silently read ("+5", "1E+5", "1_000", full-width or Arabic-Indic digits)."""


def parse_currency(raw: str | None, *, field: str = "currency") -> str:
    code = (raw or "CNY").strip().upper()
    if code not in CURRENCIES:
        raise Unprocessable(
            Msg("Currency {currency} is not supported; use one of {choices}.", currency=repr(raw),
                choices=", ".join(CURRENCIES)),
            field=field,
        )  # fmt: skip
    return code


def parse_money(
    raw: str | int | None, currency: str = "CNY", *, field: str = "amount", allow_zero: bool = False
) -> int:
    """A positive amount like "40000.00" (or a JSON integer) as minor units; a clear 422 naming the field otherwise.

    The one rule for money read from users, on every path (API bodies, forms, search filters)."""
    if raw is None or isinstance(raw, bool) or not isinstance(raw, str | int):
        raise Unprocessable(Msg('Give {field} as a decimal string like "40000.00".', field=field), field=field)
    places = CURRENCIES.get(currency, 2)
    if isinstance(raw, int):
        minor = _whole_minor(raw, places, field)
    elif (plain := _PLAIN.fullmatch(raw.strip())) is not None and len(plain[2] or "") <= places:
        minor = int(plain[1]) * 10**places + int((plain[2] or "").ljust(places, "0") or "0")
    else:
        minor = _decimal_minor(raw, places, field)
    if minor == 0 and not allow_zero:
        raise Unprocessable(Msg("{field} must be more than zero.", field=field), field=field)
    if minor > MAX_MINOR:
        raise Unprocessable(Msg("{field} is too large.", field=field), field=field)
    return minor


def _whole_minor(raw: int, places: int, field: str) -> int:
    if raw < 0:
        raise Unprocessable(Msg("{field} must be more than zero.", field=field), field=field)
    if raw > MAX_MINOR:  # checked before scaling: a JSON integer may have hundreds of digits
        raise Unprocessable(Msg("{field} is too large.", field=field), field=field)
    return raw * 10**places


def _decimal_minor(raw: str, places: int, field: str) -> int:
    """The amounts the fast path leaves: too many digits or decimals, negative, or not an amount at all."""
    match = _DECIMAL.fullmatch(raw.strip())
    if match is None:
        raise Unprocessable(
            Msg(
                '{field} must be a decimal amount in plain digits like "40000.00", not {raw}.',
                field=field,
                raw=repr(raw[:40]),
            ),
            field=field,
        )
    sign, whole, fraction = match.groups()
    if len(fraction or "") > places:
        raise Unprocessable(
            Msg("{field} has more than {places} decimal places.", field=field, places=places), field=field
        )
    if sign:
        raise Unprocessable(Msg("{field} must be more than zero.", field=field), field=field)
    if len(whole.lstrip("0")) > 18:
        raise Unprocessable(Msg("{field} is too large.", field=field), field=field)
    return int(whole) * 10**places + int((fraction or "").ljust(places, "0") or "0")


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


def round_half_up(amount: Decimal) -> int:
    """A fractional amount of minor units rounded to a whole one, halves away from zero (2.5 -> 3, -2.5 -> -3).

    The one rounding rule for money the exchange computes (fees, commissions, refunds): every share of an
    amount is rounded with it, and whatever is left over goes to the party named by the caller's rule."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))
