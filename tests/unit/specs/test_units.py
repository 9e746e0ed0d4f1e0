from __future__ import annotations

import pytest

from exchange.errors import Unprocessable
from exchange.specs.units import parse_measure, to_base


@pytest.mark.parametrize("raw", ["1.5 m", "150cm", "1500 mm", "150", 150, 150.0, " 1.5m "])
def test_a_width_given_in_any_length_unit_is_the_same_width(raw: object) -> None:
    assert parse_measure(raw, "cm", field="specs.width", label="Width") == 150.0


@pytest.mark.parametrize(
    ("raw", "unit", "expected"),
    [
        ("180 g/m²", "g/m**2", 180.0),
        ("180gsm", "g/m**2", 180.0),
        ("0.18 kg/m2", "g/m**2", 180.0),
        ("10 Ah", "mAh", 10000.0),
        ("12 g/10min", "g_per_10min", 12.0),
        ("0.023 mm", "um", 23.0),
        ("99.5 %", "percent", 99.5),
        ("1.2 t", "kg", 1200.0),
    ],
)
def test_units_of_the_same_kind_convert(raw: str, unit: str, expected: float) -> None:
    assert parse_measure(raw, unit, field="f", label="Value") == pytest.approx(expected)


@pytest.mark.parametrize("raw", ["3 kg", "5 W", "2 m**2"])
def test_a_unit_of_another_kind_is_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(Unprocessable) as caught:
        parse_measure(raw, "cm", field="specs.width", label="Width")
    assert caught.value.field == "specs.width"
    assert caught.value.code == "incompatible_unit"


@pytest.mark.parametrize(
    "raw", ["9**9**9 m", "1e999 m", "wide", "1,5 m", "5 m**99", "__import__('os')", True, None, [1]]
)
def test_anything_but_a_number_with_a_short_unit_is_refused(raw: object) -> None:
    with pytest.raises(Unprocessable):
        parse_measure(raw, "cm", field="specs.width", label="Width")


def test_the_index_holds_si_base_units_so_every_categorys_widths_compare() -> None:
    assert to_base(150.0, "cm") == to_base(1500.0, "mm") == 1.5
    assert to_base(3.0, None) == 3.0


@pytest.mark.parametrize("raw", [int("9" * 401), -int("9" * 401), float("inf"), float("nan"), "9" * 401, "9e999"])
def test_a_number_hundreds_of_digits_long_is_out_of_range_naming_the_field(raw: object) -> None:
    with pytest.raises(Unprocessable) as caught:
        parse_measure(raw, "cm", field="specs.width", label="Width")
    assert caught.value.field == "specs.width"
