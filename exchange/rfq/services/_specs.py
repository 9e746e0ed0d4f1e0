"""Wanted requests meet the catalogue: category codes, spec constraints checked against the category's
spec schema, and how a lot's stored spec values measure up (numbers compared in the schema's unit)."""

from __future__ import annotations

from functools import partial
from typing import Any

from exchange.errors import Problems, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.lots.models import Lot
from exchange.rfq import schemas, units
from exchange.specs import units as spec_units
from exchange.specs.catalog import SpecField, SpecLabel, get_catalog

__all__ = ["check_category", "check_constraints", "spec_checks"]

_OPS = {"eq": "=", "gte": "≥", "lte": "≤"}


def check_category(code: str) -> str:
    """A category code of the catalogue (a parent like "textiles" covers all of its children)."""
    code = code.strip().lower()
    if not code:
        raise Unprocessable(N_("Give the category code, e.g. textiles/fabric."), field="category")
    if get_catalog().get(code) is None:
        raise Unprocessable(
            Msg("{code} is not a category of the catalogue.", code=repr(code[:80])),
            field="category",
        )
    return code


def _fields_under(code: str) -> dict[str, SpecField]:
    catalog = get_catalog()
    fields: dict[str, SpecField] = {}
    for sub in catalog.with_descendants(code):
        category = catalog.get(sub)
        for spec_field in category.fields if category else ():
            fields.setdefault(spec_field.key, spec_field)
    return fields


def _constraint(where: str, c: schemas.SpecConstraint, spec_field: SpecField) -> dict[str, Any]:
    label = SpecLabel(spec_field)
    if spec_field.type == "number":
        if units.parse_decimal(c.value) is None:
            raise Unprocessable(Msg("{label} needs a number.", label=label), field=f"{where}.value")
        if c.unit:
            spec_units.convert(1.0, c.unit, spec_field.unit, field=f"{where}.unit", label=label)
    elif c.op != "eq":
        raise Unprocessable(Msg("{label} can only be matched exactly.", label=label), field=f"{where}.op")
    elif spec_field.type == "enum" and str(c.value).strip().lower() not in [x.lower() for x in spec_field.choices]:
        raise Unprocessable(
            Msg("{label} must be one of: {choices}.", label=label, choices=", ".join(spec_field.choices)),
            field=f"{where}.value",
        )
    return {"key": c.key, "op": c.op, "value": c.value, "unit": c.unit or None}


def check_constraints(
    category: str, constraints: list[schemas.SpecConstraint], found: Problems | None = None
) -> list[dict[str, Any]]:
    """Constraints as given, each checked against the category's schema: the key exists, numbers are
    numbers in a unit of the right kind, choices are choices. A 422 names the offending entry; with `found`,
    every entry's problem is collected there instead."""
    fields = _fields_under(category)
    problems = found or Problems()
    stored = []
    for index, c in enumerate(constraints):
        where = f"specs[{index}]"
        spec_field = fields.get(c.key)
        if spec_field is None:
            known = ", ".join(sorted(fields)) or "none"
            problems.add(
                Unprocessable(
                    Msg(
                        "{category} has no spec {key}; its specs are: {known}.",
                        category=category,
                        key=repr(c.key),
                        known=known,
                    ),
                    field=f"{where}.key",
                )
            )
            continue
        checked = problems.check(partial(_constraint, where, c, spec_field))
        if checked is not None:
            stored.append(checked)
    if found is None:
        problems.raise_first()
    return stored


def _wanted_text(constraint: dict[str, Any], spec_field: SpecField | None) -> str:
    unit = constraint.get("unit") or (spec_field.shown_unit if spec_field and spec_field.type == "number" else None)
    value = constraint["value"]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    shown_unit = f" {unit.replace('**2', '²').replace('**3', '³')}" if unit else ""
    return f"{_OPS.get(constraint['op'], '=')} {value}{shown_unit}"


def _number_meets(constraint: dict[str, Any], spec_field: SpecField, offered: Any) -> bool | None:
    if isinstance(offered, bool) or not isinstance(offered, int | float):
        return None
    wanted = units.parse_decimal(constraint["value"])
    if wanted is None:
        return None
    try:
        # The lot stores numbers in the schema's unit; bring the constraint there.
        target = spec_units.convert(float(wanted), constraint.get("unit"), spec_field.unit, field="spec", label="spec")
    except Unprocessable:
        return None
    op = constraint["op"]
    if op == "gte":
        return offered >= target
    if op == "lte":
        return offered <= target
    return abs(offered - target) <= 1e-9 * max(1.0, abs(target))


def spec_checks(constraints: list[dict[str, Any]], lot: Lot) -> list[schemas.SpecCheck]:
    """For each constraint: what was wanted, what the lot states, and whether it meets it (None: cannot tell)."""
    category = get_catalog().get(lot.category)
    checks = []
    for c in constraints:
        spec_field = category.field(c["key"]) if category else None
        offered = (lot.specs or {}).get(c["key"])
        meets: bool | None = None
        offered_text = None if offered is None else str(offered)
        if offered is not None and spec_field is not None:
            if spec_field.type == "number":
                meets = _number_meets(c, spec_field, offered)
                if isinstance(offered, int | float) and not isinstance(offered, bool) and spec_field.shown_unit:
                    offered_text = f"{offered:g} {spec_field.shown_unit}"
            elif spec_field.type == "bool":
                meets = bool(offered) == (str(c["value"]).strip().lower() in ("true", "yes", "1"))
            else:
                meets = str(offered).strip().casefold() == str(c["value"]).strip().casefold()
        checks.append(
            schemas.SpecCheck(key=c["key"], wanted=_wanted_text(c, spec_field), offered=offered_text, meets=meets)
        )
    return checks
