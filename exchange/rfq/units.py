"""Quantities for wanted requests: checking a request's unit and converting a lot's quantity into it.

Quantities stay `Decimal` (pint with a Decimal registry), so a unit price computed from them is exact
enough for money shown to two places. Counted goods use the catalogue's trade units (`pcs`, `pairs`,
`boxes`... in `exchange.specs.units`), which never convert to mass or length: such a comparison reads
"not comparable" rather than a wrong number. Which units a quantity may have is the catalogue's rule
too (`exchange.specs.units.quantity_unit`), as are spec values.
"""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation
from typing import Any

import pint

from exchange.specs.units import define_trade_units, quantity_unit

__all__ = ["check_unit", "convert", "parse_decimal"]


@functools.cache
def _registry() -> Any:
    registry: Any = pint.UnitRegistry(non_int_type=Decimal)
    define_trade_units(registry)
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
    """The unit as written, when it is a quantity unit (a 422 naming `quantity.unit` otherwise)."""
    return quantity_unit(raw)


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
