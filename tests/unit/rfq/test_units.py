from __future__ import annotations

from decimal import Decimal

import pytest

from exchange.errors import Unprocessable
from exchange.rfq import units
from exchange.rfq.services import unit_price_text


def test_lengths_convert_exactly_enough_for_unit_prices() -> None:
    assert units.convert(Decimal("5000"), "yd", "m") == Decimal("4572.0000")
    assert units.convert(Decimal("2"), "t", "kg") == Decimal("2000")


def test_counted_goods_never_convert_to_mass() -> None:
    assert units.convert(Decimal("10"), "pcs", "kg") is None
    assert units.convert(Decimal("3"), "pair", "pcs") == Decimal("6")


@pytest.mark.parametrize("unit", ["furlongs-per-fortnight-ish", "parsec", "s"])
def test_unknown_units_and_units_goods_are_not_sold_in_are_refused(unit: str) -> None:
    assert units.check_unit("cm") == "cm"
    with pytest.raises(Unprocessable) as caught:
        units.check_unit(unit)
    assert caught.value.field == "quantity.unit"


def test_a_unit_pint_does_not_know_still_converts_to_itself() -> None:
    assert units.convert(Decimal("40"), "bales", "Bales") == Decimal("40")
    assert units.convert(Decimal("40"), "bales", "kg") is None


def test_unit_price_is_total_over_quantity_in_the_requests_unit() -> None:
    assert unit_price_text(4_000_000, Decimal("5000"), "CNY") == "8.00"
    assert unit_price_text(4_000_000, Decimal("3000"), "CNY") == "13.33"
    assert unit_price_text(42, Decimal("100"), "CNY") == "0.0042"
    assert unit_price_text(4_000_000, Decimal("0"), "CNY") is None
