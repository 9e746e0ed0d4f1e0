"""Numbers with physical units, parsed and converted with pint.

`1.5 m`, `150cm` and `1500 mm` are the same width. A value without a unit is taken in the schema's
unit. We parse the number ourselves and hand pint only a short, checked unit expression, so no
input can make pint evaluate an arbitrary arithmetic expression.

A lot's (or a wanted request's) quantity is counted in trade units (`TRADE_UNITS`: pcs, pairs, sets,
boxes, cartons, pallets...) or measured as a mass, length, area or volume of an everyday size
(`quantity_unit`): `parsec` is a length, but no lot is sold by the parsec.
"""

from __future__ import annotations

import math
import re
import warnings
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

import pint

from exchange.errors import Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.specs.errors import BAD_NUMBER, BAD_UNIT, INCOMPATIBLE_UNIT

__all__ = [
    "TRADE_UNITS",
    "check_unit",
    "convert",
    "parse_measure",
    "quantity_unit",
    "registry",
    "split_measure",
    "to_base",
]

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
    (re.compile(r"\b([kcdmµ]m)([23])\b"), r"\1**\2"),
    (re.compile(r"\bm3\b"), "m**3"),
]
_DIMENSION_WORDS = {
    "[length]": N_("length"),
    "[mass]": N_("mass"),
    "[mass] / [length] ** 2": N_("weight per area"),
    "[current] * [time]": N_("charge (capacity)"),
    "[length] ** 2 * [mass] / [time] ** 3": N_("power"),
    "[mass] / [time]": N_("mass flow (melt-flow index)"),
    "dimensionless": N_("plain number"),
}
Label = Any
"""What a message calls the value: a phrase (translated when the catalogue has it) or anything with
`render(locale)` (a spec's label in the reader's language, `SpecLabel`)."""


TRADE_UNITS = (
    # pint's own "pc" and "pcs" are parsecs, its "bag" a bag of cement (94 lb): here they are counts.
    "piece = [piece] = pcs = pc = pieces = ea = each = unit = units",
    "pair = 2 * piece = pairs",
    "dozen = 12 * piece = doz",
    *(
        f"{name} = [{name}] = {aliases}"
        for name, aliases in (
            ("set", "sets"),
            ("box", "boxes"),
            ("carton", "cartons = ctn"),
            ("pallet", "pallets = plt"),
            ("roll", "rolls"),
            ("pack", "packs"),
            ("sack", "sacks = bag = bags"),  # pint keeps its own "bag" as a name: an alias replaces it
            ("bale", "bales"),
            ("drum", "drums"),
            ("bottle", "bottles"),
            ("tin", "tins"),
            ("can", "cans"),
            ("case", "cases"),
            ("crate", "crates"),
            ("sheet", "sheets"),
            ("coil", "coils"),
            ("bundle", "bundles"),
            ("reel", "reels"),
        )
    ),
)
"""Counted goods. Each container is a kind of its own (a box never converts to pieces); a pair is two pieces."""
_MEASURED_KINDS = {"[length]": "m", "[mass]": "kg", "[length] ** 2": "m**2", "[length] ** 3": "m**3"}
"""Measured quantities, with the SI unit their size is compared to."""
_EVERYDAY_SIZE = (1e-6, 1e6)
"""A measured quantity unit is between a millionth and a million of its SI unit (mg to 1,000 t, µm to 1,000 km,
mm² to km², mL to 10⁶ m³), with float slack."""


@cache
def registry() -> pint.UnitRegistry:
    """The exchange's one pint registry: spec values and quantities (lots, wanted requests) share its units."""
    units: pint.UnitRegistry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    units.define("g_per_10min = gram / (10 * minute)")
    units.define("gsm = gram / meter ** 2")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TRADE_UNITS replace pint's own "pc", "pcs" and "bag" (pint warns)
        for definition in TRADE_UNITS:
            units.define(definition)
    return units


@cache
def _counted_kinds() -> frozenset[str]:
    units = registry()
    return frozenset(str(units.parse_units(d.split("=")[0].strip()).dimensionality) for d in TRADE_UNITS)


def _describe(units: Any) -> Msg | str:
    text = str(units.dimensionality)
    return Msg(_DIMENSION_WORDS[text]) if text in _DIMENSION_WORDS else text


def _said(label: Label) -> Any:
    """The label inside a message: a phrase becomes a message to translate."""
    return label if hasattr(label, "render") else Msg(str(label))


def _not_a_unit(label: Label, expression: str) -> Msg:
    return Msg("{label}: {unit} is not a unit we understand.", label=_said(label), unit=repr(expression))


def _not_a_measure(label: Label) -> Msg:
    return Msg("{label} must be a number, optionally with a unit.", label=_said(label))


def _out_of_range(label: Label) -> Msg:
    return Msg("{label} is out of range.", label=_said(label))


def _round(value: float) -> float:
    """Twelve significant digits: conversions land on the same float whichever unit they came from."""
    return float(f"{value:.12g}")


def _unit(expression: str, *, field: str, label: Label) -> Any:
    cleaned = expression.strip()
    for pattern, replacement in _ALIASES:
        cleaned = pattern.sub(replacement, cleaned)
    if len(cleaned) > 24 or not _UNIT_TEXT.match(cleaned):
        raise Unprocessable(_not_a_unit(label, expression), field=field, code=BAD_UNIT)
    try:
        return registry().parse_units(cleaned)
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, SyntaxError):
        raise Unprocessable(_not_a_unit(label, expression), field=field, code=BAD_UNIT) from None


def check_unit(expression: str) -> None:
    """Raise ValueError when the catalogue names a unit pint does not know."""
    try:
        registry().parse_units(expression)
    except pint.errors.PintError as error:
        raise ValueError(f"unknown unit {expression!r}: {error}") from None


def quantity_unit(raw: str, *, field: str = "quantity.unit") -> str:
    """The unit a quantity is given in, as written, when it counts goods or measures a mass, length, area or
    volume of an everyday size; a 422 naming the field otherwise. The one rule for every quantity."""
    label = N_("Quantity unit")
    text = raw.strip()
    units = _unit(text, field=field, label=label) if text else None
    if units is None:
        raise Unprocessable(Msg("{label}: give the unit, like pcs, kg, t or m.", label=_said(label)), field=field,
                            code=BAD_UNIT)  # fmt: skip
    kind = str(units.dimensionality)
    if kind in _counted_kinds():
        return text
    low, high = _EVERYDAY_SIZE
    reference = _MEASURED_KINDS.get(kind)
    size = registry().Quantity(1, units).to(reference).magnitude if reference else None
    if size is None or not low * (1 - 1e-9) <= size <= high * (1 + 1e-9):
        why = N_("too large or too small a unit for goods") if size is not None else N_("not a trade unit")
        raise Unprocessable(
            Msg(
                "{label}: {unit} is {why}; count in pcs, pairs, sets, boxes, cartons, pallets... "
                "or measure in a mass, length, area or volume (kg, t, m, m2, L).",
                label=_said(label),
                unit=repr(text[:24]),
                why=Msg(why),
            ),
            field=field,
            code=BAD_UNIT,
        )
    return text


def split_measure(raw: Any, *, field: str, label: Label) -> tuple[float, str | None]:
    """A number (bare, or a string with an optional unit) as (magnitude, unit text or None)."""
    if isinstance(raw, bool) or raw is None:
        raise Unprocessable(_not_a_measure(label), field=field)
    if isinstance(raw, int | float | Decimal):
        # Checked before float(): a JSON integer may have hundreds of digits (float() overflows).
        if isinstance(raw, int) and abs(raw) > MAX_MAGNITUDE:
            raise Unprocessable(_out_of_range(label), field=field, code=BAD_NUMBER)
        magnitude, unit_text = float(raw), None
    elif isinstance(raw, str):
        match = _NUMBER_AND_UNIT.match(raw)
        if not match or len(raw) > 40:
            raise Unprocessable(
                Msg('{label}: {value} is not a number with a unit (like "150 cm").', label=_said(label),
                    value=repr(raw[:40])),
                field=field,
                code=BAD_NUMBER,
            )  # fmt: skip
        try:
            magnitude = float(Decimal(match.group(1)))
        except (InvalidOperation, ValueError):
            raise Unprocessable(
                Msg("{label}: {value} is not a number.", label=_said(label), value=repr(raw[:40])),
                field=field,
                code=BAD_NUMBER,
            ) from None
        unit_text = match.group(2) or None
    else:
        raise Unprocessable(_not_a_measure(label), field=field)
    if not math.isfinite(magnitude) or abs(magnitude) > MAX_MAGNITUDE:
        raise Unprocessable(_out_of_range(label), field=field, code=BAD_NUMBER)
    return magnitude, unit_text


def convert(magnitude: float, from_unit: str | None, to_unit: str | None, *, field: str, label: Label) -> float:
    """Convert between units of the same kind; a clear 422 naming the field when the kinds differ."""
    if from_unit is None or (to_unit is not None and from_unit.strip() == to_unit):
        return _round(magnitude)
    units = registry()
    source = _unit(from_unit, field=field, label=label)
    target = units.parse_units(to_unit) if to_unit else units.dimensionless
    if source.dimensionality != target.dimensionality:
        wanted = Msg("in {unit}", unit=to_unit) if to_unit else Msg("as a plain number")
        raise Unprocessable(
            Msg(
                "{label}: {unit} is a unit of {kind}, but this value is a {target}; give it {wanted}.",
                label=_said(label),
                unit=repr(from_unit.strip()),
                kind=_describe(source),
                target=_describe(target),
                wanted=wanted,
            ),
            field=field,
            code=INCOMPATIBLE_UNIT,
        )
    value = units.Quantity(magnitude, source).to(target).magnitude
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        raise Unprocessable(_out_of_range(label), field=field, code=BAD_NUMBER)
    return _round(value)


def parse_measure(raw: Any, unit: str | None, *, field: str, label: Label) -> float:
    """A number given with or without a unit, in the schema's `unit`."""
    magnitude, unit_text = split_measure(raw, field=field, label=label)
    return convert(magnitude, unit_text, unit, field=field, label=label)


@cache
def _base_scale(unit: str) -> float | None:
    """The factor from `unit` to its SI base unit, or None for units with an offset (°C): pint once per unit,
    not once per value (indexing a million lots, parsing every search's spec filters)."""
    units = registry()
    parsed = units.parse_units(unit)
    if units.Quantity(0.0, parsed).to_base_units().magnitude != 0:
        return None
    return float(units.Quantity(1.0, parsed).to_base_units().magnitude)


def to_base(value: float, unit: str | None) -> float:
    """The value in SI base units: what the spec index stores, so every category's widths compare."""
    if not unit:
        return _round(value)
    scale = _base_scale(unit)
    if scale is not None:
        return _round(value * scale)
    units = registry()
    return _round(units.Quantity(value, units.parse_units(unit)).to_base_units().magnitude)
