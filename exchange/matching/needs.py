"""A procurement request as the rules read it (`rules.Need`): categories expanded, spec constraints in SI
base units, checked against the catalogue with the one pint registry (a wrong kind of unit is a 422
naming the field). The same compilation checks a new request and prepares a stored one for matching."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import cache, partial
from typing import Any

from exchange.errors import Problems, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.matching.models import ProcurementRequest
from exchange.matching.rules import Bound, Need
from exchange.specs import units as spec_units
from exchange.specs.catalog import SpecField, SpecLabel, get_catalog

__all__ = ["base_factor", "check_categories", "compile_groups", "expand_categories", "need_of", "quantity_factor"]

_OPS = ("gte", "lte", "eq")


def _category(raw: str, index: int) -> str:
    code = raw.strip().lower()
    if get_catalog().get(code) is None:
        raise Unprocessable(
            Msg("{code} is not a category of the catalogue.", code=repr(raw[:80])), field=f"categories[{index}]"
        )
    return code


def check_categories(codes: list[str], found: Problems | None = None) -> list[str]:
    """The codes checked against the catalogue: a 422 naming the first unknown one, or, with `found`, every
    unknown one collected there (the known ones are returned)."""
    problems = found or Problems()
    cleaned = [problems.check(partial(_category, raw, index)) for index, raw in enumerate(codes)]
    if found is None:
        problems.raise_first()
    return [code for code in cleaned if code is not None]


def expand_categories(codes: list[str]) -> frozenset[str]:
    catalog = get_catalog()
    return frozenset(sub for code in codes for sub in catalog.with_descendants(code))


def _fields_of(categories: frozenset[str]) -> dict[str, SpecField]:
    catalog = get_catalog()
    fields: dict[str, SpecField] = {}
    for code in sorted(categories):
        category = catalog.get(code)
        for spec_field in category.fields if category else ():
            fields.setdefault(spec_field.key, spec_field)
    return fields


@cache
def base_factor(unit: str | None) -> float:
    """SI base units per one `unit` (1.0 for a plain number)."""
    return spec_units.to_base(1.0, unit) if unit else 1.0


@cache
def quantity_factor(from_unit: str, to_unit: str) -> Decimal | None:
    """How many `to_unit` one `from_unit` is (None: they measure different things)."""
    from exchange.rfq.units import convert  # the wanted requests' one quantity conversion

    return convert(Decimal(1), from_unit, to_unit)


def _bound(spec_field: SpecField, op: str, raw: Any, where: str) -> Bound:
    label = SpecLabel(spec_field)
    if spec_field.type == "number":
        value = spec_units.parse_measure(raw, spec_field.unit, field=where, label=label)
        factor = base_factor(spec_field.unit)
        return Bound(spec_field.key, op, value * factor, spec_field.shown_unit, 1.0 / factor)
    if op != "eq":
        raise Unprocessable(Msg("{label} can only be matched exactly.", label=label), field=where)
    if spec_field.type == "bool":
        if not isinstance(raw, bool):
            raise Unprocessable(Msg("{label} is true or false.", label=label), field=where)
        return Bound(spec_field.key, op, raw)
    text = str(raw).strip()
    if spec_field.type == "enum" and text.casefold() not in [c.casefold() for c in spec_field.choices]:
        raise Unprocessable(
            Msg("{label} must be one of: {choices}.", label=label, choices=", ".join(spec_field.choices)), field=where
        )
    if not text:
        raise Unprocessable(Msg("{label}: give a value.", label=label), field=where)
    return Bound(spec_field.key, op, text)


def _group(
    fields: Mapping[str, SpecField], index: int, group: Mapping[str, Mapping[str, Any]], found: Problems
) -> tuple[Bound, ...]:
    if not group:
        found.add(
            Unprocessable(
                N_("A requirement group needs at least one constraint."), field=f"requirement_groups[{index}]"
            )
        )
    bounds: list[Bound | None] = []
    for key, ops in group.items():
        where = f"requirement_groups[{index}].{key}"
        spec_field = fields.get(key)
        if spec_field is None:
            known = ", ".join(sorted(fields)) or "none"
            found.add(
                Unprocessable(
                    Msg("The accepted categories have no spec {key}; they have: {known}.", key=repr(key[:40]),
                        known=known),
                    field=where,
                )
            )  # fmt: skip
            continue
        given = {op: value for op, value in ops.items() if op in _OPS and value is not None}
        if not given:
            found.add(Unprocessable(N_("Give gte, lte or eq."), field=where))
        bounds += [found.check(partial(_bound, spec_field, op, value, f"{where}.{op}")) for op, value in given.items()]
    return tuple(bound for bound in bounds if bound is not None)


def compile_groups(
    categories: frozenset[str], groups: Sequence[Mapping[str, Mapping[str, Any]]], found: Problems | None = None
) -> tuple[tuple[Bound, ...], ...]:
    """Each group's constraints as `Bound`s; a 422 naming `requirement_groups[i].key[.op]` otherwise (with
    `found`, every problem is collected there instead)."""
    fields = _fields_of(categories)
    problems = found or Problems()
    compiled = tuple(_group(fields, index, group, problems) for index, group in enumerate(groups))
    if found is None:
        problems.raise_first()
    return compiled


def need_of(request: ProcurementRequest) -> Need:
    categories = expand_categories(list(request.categories))
    return Need(
        quantity=Decimal(request.quantity_value),
        unit=request.quantity_unit,
        budget_max_minor=request.budget_max_minor,
        budget_min_minor=request.budget_min_minor,
        budget_total_minor=request.budget_total_minor,
        currency=request.currency,
        deliver_by=request.deliver_by,
        categories=categories,
        certificates=tuple(request.certificates),
        groups=compile_groups(categories, request.requirement_groups),
        min_shelf_life_days=request.min_shelf_life_days,
        region=request.region,
        grades=tuple(request.grades),
        max_sellers=request.max_sellers,
    )
