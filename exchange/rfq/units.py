"""Quantities for wanted requests: checking a request's unit and converting a lot's quantity into it.

Quantities stay `Decimal` (pint with a Decimal registry), so a unit price computed from them is exact
enough for money shown to two places. Counted goods use `piece` (`pcs`, `pc`), which never converts to
mass or length: such a comparison reads "not comparable" rather than a wrong number. Spec values are
the catalogue's business (`exchange.specs.units`).
"""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation
from typing import Any

import pint

__all__ = ["check_unit", "convert", "parse_decimal"]


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
    """`value` in `from_unit` expressed in `to_unit`, or None when they measure different things.

    The same unit text converts to itself even when pint does not know it (lots may count "bales").
    """
    if from_unit.strip().casefold() == to_unit.strip().casefold():
        return value
    registry = _registry()
    try:
        converted = registry.Quantity(value, from_unit).to(to_unit).magnitude
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, AssertionError):
        return None
    return Decimal(converted)
