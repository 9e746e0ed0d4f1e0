"""GET /api/lots's spec filters (`spec.<key>`, `spec.<key>.gte`, `spec.<key>.lte`) as one parameter each,
for every spec key of the catalogue, so a generated client has a typed argument per filter."""

from __future__ import annotations

from functools import cache
from typing import Any

from exchange.specs.catalog import SpecField, get_catalog

__all__ = ["spec_filter_parameters"]


def _parameter(name: str, description: str, *, many: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if many:
        schema = {"type": "array", "items": {"type": "string"}}
    parameter: dict[str, Any] = {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }
    if many:
        parameter["style"], parameter["explode"] = "form", True
    return parameter


@cache
def _parameters() -> tuple[dict[str, Any], ...]:
    catalog = get_catalog()
    by_key: dict[str, list[SpecField]] = {}
    for category in catalog.categories.values():
        for field in category.fields:
            by_key.setdefault(field.key, []).append(field)
    found: list[dict[str, Any]] = []
    for key in sorted(by_key):
        fields = by_key[key]
        if any(field.type == "number" for field in fields):
            units = sorted({field.shown_unit for field in fields if field.shown_unit})
            unit = f"; a number may carry a unit, bare numbers are in {' or '.join(units)}" if units else ""
            found.append(_parameter(f"spec.{key}", f"Spec `{key}` equals{unit}"))
            found.append(_parameter(f"spec.{key}.gte", f"Spec `{key}` at least (e.g. `140cm`){unit}"))
            found.append(_parameter(f"spec.{key}.lte", f"Spec `{key}` at most{unit}"))
        else:
            choices = sorted({choice for field in fields for choice in field.choices})
            listed = f"; one of {', '.join(choices)}" if choices else ""
            found.append(_parameter(f"spec.{key}", f"Spec `{key}` is any of these values{listed}", many=True))
    return tuple(found)


def spec_filter_parameters() -> list[dict[str, Any]]:
    """Fresh copies (the document is changed after)."""
    return [dict(parameter, schema=dict(parameter["schema"])) for parameter in _parameters()]
