"""msgspec Structs for the categories API."""

from __future__ import annotations

import msgspec

__all__ = ["Category", "ComplianceRule", "SpecField"]


class SpecField(msgspec.Struct, omit_defaults=True):
    key: str
    label: str
    type: str
    required: bool
    unit: str | None = None
    """The unit numbers are shown and stored in (pint spelling); a value may be given in any unit of its kind."""
    unit_label: str | None = None
    choices: list[str] | None = None
    example: str | None = None


class ComplianceRule(msgspec.Struct, omit_defaults=True):
    kind: str
    description: str
    certificate: str | None = None
    field: str | None = None
    document: str | None = None
    min_days: int | None = None


class Category(msgspec.Struct):
    code: str
    name: str
    parent: str | None
    leaf: bool
    spec_schema: list[SpecField]
    rules: list[ComplianceRule]
