"""Numbers with physical units, parsed and converted with pint.

`1.5 m`, `150cm` and `1500 mm` are the same width. A value without a unit is taken in the schema's
unit. We parse the number ourselves and hand pint only a short, checked unit expression, so no
input can make pint evaluate an arbitrary arithmetic expression.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

import pint

from exchange.errors import Unprocessable

__all__ = ["check_unit", "convert", "parse_measure", "split_measure", "to_base"]

MAX_MAGNITUDE = 1e12
_NUMBER_AND_UNIT = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?)\s*([^\d.,+-].*?)?\s*$")
_UNIT_WORD = r"[A-Za-z_µ%][A-Za-z_µ%0-9]{0,15}(?:\*\*[1-3])?"
_UNIT_TEXT = re.compile(rf"^{_UNIT_WORD}(?:\s*[/*]?\s*{_UNIT_WORD})*$")
_ALIASES = [
    (re.compile(r"g\s*/\s*10\s*min(?:utes?)?", re.I), "g_per_10min"),
    (re.compile(r"²"), "**2"),
    (re.compile(r"³"), "**3"),
    (re.compile(r"\^([1-3])"), r"**\1"),
    (re.compile(r"·"), "*"),
    (re.compile(r"μ"), "µ"),
    (re.compile(r"\bsqm\b|\bm2\b"), "m**2"),
]
_DIMENSION_WORDS = {
    "[length]": "length",
    "[mass]": "mass",
    "[mass] / [length] ** 2": "weight per area",
    "[current] * [time]": "charge (capacity)",
    "[length] ** 2 * [mass] / [time] ** 3": "power",
    "[mass] / [time]": "mass flow (melt-flow index)",
    "dimensionless": "plain number",
}


@cache
def _registry() -> pint.UnitRegistry:
    registry: pint.UnitRegistry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    registry.define("g_per_10min = gram / (10 * minute)")
    registry.define("gsm = gram / meter ** 2")
    return registry


def _describe(units: Any) -> str:
    text = str(units.dimensionality)
    return _DIMENSION_WORDS.get(text, text)


def _round(value: float) -> float:
    """Twelve significant digits: conversions land on the same float whichever unit they came from."""
    return float(f"{value:.12g}")


def _unit(expression: str, *, field: str, label: str) -> Any:
    cleaned = expression.strip()
    for pattern, replacement in _ALIASES:
        cleaned = pattern.sub(replacement, cleaned)
    if len(cleaned) > 24 or not _UNIT_TEXT.match(cleaned):
        raise Unprocessable(f"{label}: {expression!r} is not a unit we understand.", field=field, code="bad_unit")
    try:
        return _registry().parse_units(cleaned)
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, SyntaxError):
        raise Unprocessable(
            f"{label}: {expression!r} is not a unit we understand.", field=field, code="bad_unit"
        ) from None


def check_unit(expression: str) -> None:
    """Raise ValueError when the catalogue names a unit pint does not know."""
    try:
        _registry().parse_units(expression)
    except pint.errors.PintError as error:
        raise ValueError(f"unknown unit {expression!r}: {error}") from None


def split_measure(raw: Any, *, field: str, label: str) -> tuple[float, str | None]:
    """A number (bare, or a string with an optional unit) as (magnitude, unit text or None)."""
    if isinstance(raw, bool) or raw is None:
        raise Unprocessable(f"{label} must be a number, optionally with a unit.", field=field)
    if isinstance(raw, int | float | Decimal):
        # Checked before float(): a JSON integer may have hundreds of digits (float() overflows).
        if isinstance(raw, int) and abs(raw) > MAX_MAGNITUDE:
            raise Unprocessable(f"{label} is out of range.", field=field, code="bad_number")
        magnitude, unit_text = float(raw), None
    elif isinstance(raw, str):
        match = _NUMBER_AND_UNIT.match(raw)
        if not match or len(raw) > 40:
            raise Unprocessable(
                f'{label}: {raw[:40]!r} is not a number with a unit (like "150 cm").', field=field, code="bad_number"
            )
        try:
            magnitude = float(Decimal(match.group(1)))
        except (InvalidOperation, ValueError):
            raise Unprocessable(f"{label}: {raw[:40]!r} is not a number.", field=field, code="bad_number") from None
        unit_text = match.group(2) or None
    else:
        raise Unprocessable(f"{label} must be a number, optionally with a unit.", field=field)
    if not math.isfinite(magnitude) or abs(magnitude) > MAX_MAGNITUDE:
        raise Unprocessable(f"{label} is out of range.", field=field, code="bad_number")
    return magnitude, unit_text


def convert(magnitude: float, from_unit: str | None, to_unit: str | None, *, field: str, label: str) -> float:
    """Convert between units of the same kind; a clear 422 naming the field when the kinds differ."""
    if from_unit is None or (to_unit is not None and from_unit.strip() == to_unit):
        return _round(magnitude)
    registry = _registry()
    source = _unit(from_unit, field=field, label=label)
    target = registry.parse_units(to_unit) if to_unit else registry.dimensionless
    if source.dimensionality != target.dimensionality:
        wanted = f"in {to_unit}" if to_unit else "as a plain number"
        raise Unprocessable(
            f"{label}: {from_unit.strip()!r} is a unit of {_describe(source)}, but {label.lower()} is a "
            f"{_describe(target)}; give it {wanted}.",
            field=field,
            code="incompatible_unit",
        )
    value = registry.Quantity(magnitude, source).to(target).magnitude
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        raise Unprocessable(f"{label} is out of range.", field=field, code="bad_number")
    return _round(value)


def parse_measure(raw: Any, unit: str | None, *, field: str, label: str) -> float:
    """A number given with or without a unit, in the schema's `unit`."""
    magnitude, unit_text = split_measure(raw, field=field, label=label)
    return convert(magnitude, unit_text, unit, field=field, label=label)


def to_base(value: float, unit: str | None) -> float:
    """The value in SI base units: what the spec index stores, so every category's widths compare."""
    if not unit:
        return _round(value)
    registry = _registry()
    return _round(registry.Quantity(value, registry.parse_units(unit)).to_base_units().magnitude)
