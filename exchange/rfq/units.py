"""Quantities for wanted requests: checking a request's unit and converting a lot's quantity into it.

Quantities stay `Decimal`: the catalogue's one pint registry (`exchange.specs.units.registry`) gives the
conversion factor, rounded to twelve significant digits, so a unit price computed from them is exact
enough for money shown to two places. Counted goods use the catalogue's trade units (`pcs`, `pairs`,
`boxes`... in `exchange.specs.units`), which never convert to mass or length: such a comparison reads
"not comparable" rather than a wrong number. Which units a quantity may have is the catalogue's rule
too (`exchange.specs.units.quantity_unit`), as are spec values.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import pint

from exchange.specs.units import quantity_unit, registry

__all__ = ["check_unit", "convert", "parse_decimal"]


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
    try:
        factor = registry().Quantity(1, from_unit).to(to_unit).magnitude
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, AssertionError):
        return None
    return value * Decimal(f"{factor:.12g}")
