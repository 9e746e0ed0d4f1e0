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
