"""Physical units for wanted requests: checking units, converting quantities, testing spec constraints.

Quantities stay `Decimal` (pint with a Decimal registry), so a unit price computed from them is exact
enough for money shown to two places. Counted goods use `piece` (`pcs`, `pc`), which never converts to
mass or length: such a comparison reads "not comparable" rather than a wrong number.
"""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation
from typing import Any

import pint

__all__ = ["check_unit", "convert", "meets_constraint", "parse_decimal"]


@functools.cache
def _registry() -> Any:
    registry: Any = pint.UnitRegistry(non_int_type=Decimal)
    registry.define("piece = [piece] = pcs = pc = pieces = unit = units")
    registry.define("pair = 2 * piece = pairs")
    registry.define("set = [set] = sets")
    registry.define("carton = [carton] = ctn = cartons")
    registry.define("roll = [roll] = rolls")
    return registry


def parse_decimal(raw: Any) -> Decimal | None:
    if isinstance(raw, bool) or raw is None:
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def check_unit(raw: str) -> str:
    """The unit as written, if pint knows it; ValueError otherwise."""
    text = raw.strip()
    if not text:
        raise ValueError("A unit is required.")
    try:
        _registry().parse_units(text)
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, AssertionError):
        raise ValueError(f"Unknown unit {raw!r}; use e.g. m, cm, kg, t, pcs.") from None
    return text


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal | None:
    """`value` in `from_unit` expressed in `to_unit`, or None when they measure different things."""
    registry = _registry()
    try:
        converted = registry.Quantity(value, from_unit).to(to_unit).magnitude
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, AssertionError):
        return None
    return Decimal(converted)


def _quantity_of(raw: Any, default_unit: str | None) -> tuple[Decimal, str | None] | None:
    """A lot's spec value as (number, unit): "150 cm" carries its unit; a bare number is read in `default_unit`."""
    number = parse_decimal(raw)
    if number is not None:
        return number, default_unit
    if not isinstance(raw, str):
        return None
    try:
        quantity = _registry().Quantity(raw.strip())
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, AssertionError, InvalidOperation):
        return None
    magnitude = parse_decimal(quantity.magnitude)
    if magnitude is None:
        return None
    return magnitude, str(quantity.units) if not quantity.dimensionless else default_unit


def meets_constraint(op: str, wanted: Any, unit: str | None, offered: Any) -> bool | None:
    """Does a lot's spec value satisfy `op wanted [unit]`? None when it cannot be told.

    A bare number on the lot is taken to be in the constraint's unit (lots store numbers in their
    category's unit, which is the unit buyers filter in).
    """
    if offered is None:
        return None
    wanted_number = parse_decimal(wanted)
    if wanted_number is None or isinstance(wanted, bool):
        if op != "eq":
            return None
        if isinstance(wanted, bool) or isinstance(offered, bool):
            return bool(wanted) == bool(offered) if isinstance(offered, bool) == isinstance(wanted, bool) else None
        return str(wanted).strip().casefold() == str(offered).strip().casefold()
    parsed = _quantity_of(offered, unit)
    if parsed is None:
        return None
    number, offered_unit = parsed
    if unit and offered_unit and offered_unit != unit:
        converted = convert(number, offered_unit, unit)
        if converted is None:
            return None
        number = converted
    if op == "gte":
        return number >= wanted_number
    if op == "lte":
        return number <= wanted_number
    return number == wanted_number
