from __future__ import annotations

import pytest

from exchange.errors import Unprocessable
from exchange.money import format_minor, parse_money


def test_decimal_strings_become_minor_units_and_back() -> None:
    assert parse_money("40000.00") == 4_000_000
    assert parse_money("0.5") == 50
    assert format_minor(4_000_000) == "40000.00"
    assert format_minor(5, "CNY") == "0.05"


@pytest.mark.parametrize("raw", ["-1", "0", "1.234", "abc", "NaN", "Infinity", None, True, "1e30"])
def test_bad_amounts_are_refused_naming_the_field(raw: object) -> None:
    with pytest.raises(Unprocessable) as caught:
        parse_money(raw, field="amount")  # type: ignore[arg-type]
    assert caught.value.field == "amount"


@pytest.mark.parametrize(
    ("raw", "currency", "minor"),
    [
        ("40000.00", "CNY", 4_000_000),
        (" 7 ", "CNY", 700),
        ("007.5", "USD", 750),
        ("0.01", "CNY", 1),
        ("1200", "JPY", 1200),
        ("1.50", "CNY", 150),
        ("000000000000000000012.00", "CNY", 1200),
        (12, "CNY", 1200),
        ("10000000000000.00", "CNY", 10**15),
    ],
)
def test_every_spelling_of_an_amount_gives_the_same_minor_units(raw: object, currency: str, minor: int) -> None:
    assert parse_money(raw, currency) == minor  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "currency", "message"),
    [
        ("12.5", "JPY", "more than 0 decimal places"),
        ("0.00", "CNY", "more than zero"),
        ("-0.01", "CNY", "more than zero"),
        ("10000000000000.01", "CNY", "too large"),
        ("999999999999999999", "CNY", "too large"),
        ("1,00", "CNY", "decimal amount"),
        ("1.234", "CNY", "more than 2 decimal places"),
        ("9" * 401, "CNY", "too large"),
    ],
)
def test_amounts_out_of_bounds_are_refused_with_the_reason(raw: str, currency: str, message: str) -> None:
    with pytest.raises(Unprocessable) as caught:
        parse_money(raw, currency, field="amount")
    assert message in caught.value.detail
    assert caught.value.field == "amount"


def test_zero_is_accepted_only_where_allowed() -> None:
    assert parse_money("0", allow_zero=True) == 0
    assert parse_money("0.00", allow_zero=True) == 0


@pytest.mark.parametrize(
    "raw",
    [
        "1_000",
        "\uff17\uff10\uff10\uff10",
        "\u0663\u0663\u0663",
        "+5",
        "1E+5",
        "1e5",
        "1.5e3",
        "1.",
        ".5",
        "0x10",
        "5\x00",
    ],
)
def test_only_plain_ascii_digits_with_an_optional_point_are_money(raw: str) -> None:
    """Python's int() and Decimal() read all of these; a price must be what the user sees."""
    with pytest.raises(Unprocessable) as caught:
        parse_money(raw, field="sale.price")
    assert caught.value.field == "sale.price"
    assert "plain digits" in caught.value.detail


def test_a_huge_json_integer_is_too_large_not_an_overflow() -> None:
    with pytest.raises(Unprocessable) as caught:
        parse_money(int("9" * 401), field="reference_price")
    assert "too large" in caught.value.detail
