"""The category picker and spec fields shared by the lot form and the wanted-request form
(templates lots/_category_picker.html and lots/_spec_fields.html)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from exchange.specs.catalog import get_catalog

__all__ = ["category_choices", "spec_constraints"]

_BOUNDS = {"gte": "gte", "lte": "lte"}
_MEASURE = re.compile(r"(\d{1,15}(?:\.\d{1,6})?)\s*([^\d\s].{0,23})?")


def category_choices(form: Mapping[str, str]) -> dict[str, Any]:
    """The template context of the picker: the leaf categories, the catalogue, and the chosen category."""
    catalog = get_catalog()
    return {"leaves": catalog.leaves(), "catalog": catalog, "category": catalog.get(form.get("category", ""))}


def spec_constraints(form: Mapping[str, str], prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
    """A wanted request's spec needs from the picker's fields, each with the input it came from:
    `spec.width.gte=140 cm` -> {key: width, op: gte, value: 140.0, unit: cm}; a value given without a bound
    (`spec.fibre=cotton`) must be as given. Empty fields are no constraint. `prefix` picks the fields of one
    set (a procurement request's option `g1.spec.width.gte`)."""
    constraints: list[tuple[str, dict[str, Any]]] = []
    start = prefix + "spec."
    for name, raw in form.items():
        if not name.startswith(start) or not raw.strip():
            continue
        key, _, op = name.removeprefix(start).partition(".")
        need: dict[str, Any] = {"key": key, "op": _BOUNDS.get(op, "eq"), "value": raw.strip()}
        measured = _MEASURE.fullmatch(raw.strip()) if op in _BOUNDS else None
        if measured:
            need["value"] = float(measured.group(1))
            if measured.group(2):
                need["unit"] = measured.group(2).strip()
        constraints.append((name, need))
    return constraints
