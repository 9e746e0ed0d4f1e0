"""Error codes of the catalogue's specs: values, units and compliance."""

from __future__ import annotations

from exchange.errors import ErrorCode

BAD_NUMBER = ErrorCode("bad_number", 422, "A number is not finite or out of range.")
BAD_UNIT = ErrorCode("bad_unit", 422, "A unit is unknown, or not one goods are counted or measured in.")
INCOMPATIBLE_UNIT = ErrorCode("incompatible_unit", 422, "A value's unit measures another kind of thing than asked.")
NOT_A_CHOICE = ErrorCode("not_a_choice", 422, "A spec value is not one of the field's choices.")
SHELF_LIFE_TOO_SHORT = ErrorCode(
    "shelf_life_too_short", 422, "The goods' remaining shelf life is below the category's rule."
)
UNKNOWN_SPEC = ErrorCode("unknown_spec", 422, "The category has no spec field of that name.")
