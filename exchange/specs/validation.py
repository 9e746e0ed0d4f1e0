"""Spec values checked against a category's schema (no I/O): types, units, choices, required fields."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from exchange.errors import Problems, Unprocessable
from exchange.i18n.messages import Msg
from exchange.specs.catalog import Category, CategoryName, SpecField, SpecLabel
from exchange.specs.errors import NOT_A_CHOICE, UNKNOWN_SPEC
from exchange.specs.units import parse_measure, to_base

__all__ = ["MAX_TEXT", "clean_spec_value", "clean_specs", "index_entries", "missing_required"]

MAX_TEXT = 200
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


def _field_name(key: str) -> str:
    return f"specs.{key}"


def clean_spec_value(spec_field: SpecField, raw: Any) -> Any:
    """One value as stored: numbers in the schema's unit, enum choices in their canonical spelling."""
    name = _field_name(spec_field.key)
    if spec_field.type == "number":
        value = parse_measure(raw, spec_field.unit, field=name, label=SpecLabel(spec_field))
        if value < 0:
            raise Unprocessable(Msg("{label} cannot be negative.", label=SpecLabel(spec_field)), field=name)
        return value
    if spec_field.type == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower() if isinstance(raw, str | int) else ""
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise Unprocessable(Msg("{label} must be yes or no.", label=SpecLabel(spec_field)), field=name)
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise Unprocessable(Msg("{label} must be text.", label=SpecLabel(spec_field)), field=name)
    text = " ".join(str(raw).split())
    if len(text) > MAX_TEXT:
        raise Unprocessable(
            Msg("{label} is longer than {count} characters.", label=SpecLabel(spec_field), count=MAX_TEXT), field=name
        )
    if spec_field.type == "enum":
        for choice in spec_field.choices:
            if choice.lower() == text.lower():
                return choice
        raise Unprocessable(
            Msg(
                "{label} must be one of: {choices} (not {value}).",
                label=SpecLabel(spec_field),
                choices=", ".join(spec_field.choices),
                value=repr(text[:40]),
            ),
            field=name,
            code=NOT_A_CHOICE,
        )
    return text


def _is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def clean_specs(category: Category, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Every given value checked and normalised; unknown keys are refused, empty values dropped."""
    cleaned: dict[str, Any] = {}
    found = Problems()
    for key, value in raw.items():
        spec_field = category.field(key)
        if spec_field is None:
            known = ", ".join(f.key for f in category.fields)
            raise Unprocessable(
                Msg(
                    "{name} has no spec called {key}; its specs are: {known}.",
                    name=CategoryName(category),
                    key=repr(key[:40]),
                    known=known,
                ),
                field=_field_name(key[:40]),
                code=UNKNOWN_SPEC,
            )
        if _is_empty(value):
            continue
        checked = found.check(partial(clean_spec_value, spec_field, value))
        if checked is not None:
            cleaned[key] = checked
    found.raise_first()
    return cleaned


def missing_required(category: Category, specs: Mapping[str, Any]) -> list[SpecField]:
    return [f for f in category.fields if f.required and _is_empty(specs.get(f.key))]


def index_entries(category: Category, specs: Mapping[str, Any]) -> list[tuple[str, float | None, str | None]]:
    """(key, number in SI base units, lower-cased text) for each stored value, as the spec index holds them."""
    entries: list[tuple[str, float | None, str | None]] = []
    for key, value in specs.items():
        spec_field = category.field(key)
        if spec_field is None or value is None:
            continue
        if spec_field.type == "number":
            entries.append((key, to_base(float(value), spec_field.unit), None))
        elif spec_field.type == "bool":
            entries.append((key, None, "true" if value else "false"))
        else:
            entries.append((key, None, str(value).lower()[:MAX_TEXT]))
    return entries
