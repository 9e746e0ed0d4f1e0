"""The category tree with spec schemas and compliance rules, loaded from `catalog.toml` once.

Categories are data: adding one is an edit to the TOML file, not new code. A child category
inherits its parent's fields and rules.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from exchange.i18n.locales import current_locale
from exchange.i18n.messages import Msg

__all__ = [
    "DOCUMENT_KINDS",
    "FIELD_TYPES",
    "Catalog",
    "Category",
    "CategoryLabel",
    "CategoryName",
    "ComplianceRule",
    "SpecField",
    "SpecLabel",
    "SpecLabels",
    "get_catalog",
    "load_catalog",
]

FIELD_TYPES = ("number", "enum", "text", "bool")
RULE_KINDS = ("certificate", "brand_authorisation", "document", "shelf_life")
DOCUMENT_KINDS = ("photo", "quality_report", "certificate", "brand_authorisation", "safety_data_sheet")


@dataclass(frozen=True, slots=True)
class SpecField:
    key: str
    label: str
    type: str
    required: bool = False
    unit: str | None = None
    """A pint unit expression for numbers (`cm`, `g/m**2`, `mAh`); None for a plain count."""
    unit_label: str | None = None
    choices: tuple[str, ...] = ()
    example: str | None = None
    label_zh: str | None = None
    """The label in Chinese (`label_zh` in the catalogue), shown to readers who chose Chinese."""
    choices_zh: tuple[str, ...] = ()
    """The choices in Chinese, in the order of `choices` (`choices_zh`; empty: the codes are shown as they are)."""

    @property
    def shown_unit(self) -> str | None:
        return self.unit_label or self.unit

    @property
    def local_label(self) -> str:
        """The label in the current page language (the API keeps `label`)."""
        return (self.label_zh if current_locale() == "zh_CN" else None) or self.label

    def local_choice(self, value: str) -> str:
        """An enum value in the current page language (the API and the stored specs keep the English code)."""
        if current_locale() == "zh_CN" and self.choices_zh:
            for choice, chinese in zip(self.choices, self.choices_zh, strict=True):
                if choice.lower() == str(value).lower():
                    return chinese
        return str(value)


@dataclass(frozen=True, slots=True)
class SpecLabel:
    """A spec field's label inside a message (an error), shown in the reader's language."""

    spec_field: SpecField

    def render(self, locale: str) -> str:
        return (self.spec_field.label_zh if locale == "zh_CN" else None) or self.spec_field.label

    def to_json(self) -> str:
        return self.spec_field.label


@dataclass(frozen=True, slots=True)
class SpecLabels:
    """Several spec fields' labels inside a message, joined by commas, in the reader's language."""

    spec_fields: tuple[SpecField, ...]

    def render(self, locale: str) -> str:
        return ", ".join(SpecLabel(spec_field).render(locale) for spec_field in self.spec_fields)

    def to_json(self) -> str:
        return ", ".join(spec_field.label for spec_field in self.spec_fields)


@dataclass(frozen=True, slots=True)
class CategoryName:
    """A category's name inside a message (an error), shown in the reader's language."""

    category: Category

    def render(self, locale: str) -> str:
        return (self.category.name_zh if locale == "zh_CN" else None) or self.category.name

    def to_json(self) -> str:
        return self.category.name


@dataclass(frozen=True, slots=True)
class CategoryLabel:
    """`Parent > Child` of a category code inside a message, in the reader's language (the code if unknown)."""

    code: str

    def render(self, locale: str) -> str:
        catalog = get_catalog()
        category = catalog.get(self.code)
        if category is None:
            return self.code
        parent = catalog.get(category.parent) if category.parent else None
        return " > ".join(CategoryName(c).render(locale) for c in (parent, category) if c is not None)

    def to_json(self) -> str:
        return get_catalog().label_of(self.code)


@dataclass(frozen=True, slots=True)
class ComplianceRule:
    kind: str
    certificate: str | None = None
    field: str | None = None
    document: str | None = None
    min_days: int | None = None

    @property
    def description(self) -> str:
        """The rule in words, in the current language (English outside pages)."""
        if self.kind == "certificate":
            return Msg(
                "{certificate} certificate required (declared, with the certificate document attached)",
                certificate=self.certificate,
            ).render()
        if self.kind == "brand_authorisation":
            return Msg("Branded goods need the brand owner's authorisation document").render()
        if self.kind == "document":
            return Msg(
                "A {document} document must be attached", document=Msg((self.document or "").replace("_", " "))
            ).render()
        return Msg("Best-before date required, at least {days} days away when published", days=self.min_days).render()


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    name: str
    parent: str | None
    fields: tuple[SpecField, ...] = ()
    rules: tuple[ComplianceRule, ...] = ()
    children: tuple[str, ...] = ()
    name_zh: str | None = None
    """The name in Chinese (`name_zh` in the catalogue), shown to readers who chose Chinese."""

    @property
    def local_name(self) -> str:
        """The name in the current page language (the API keeps `name`)."""
        return (self.name_zh if current_locale() == "zh_CN" else None) or self.name

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def field(self, key: str) -> SpecField | None:
        for spec_field in self.fields:
            if spec_field.key == key:
                return spec_field
        return None


@dataclass(frozen=True)
class Catalog:
    version: int
    categories: dict[str, Category]
    """By code, in file order (parents before their children)."""
    _fields_by_key: dict[str, list[SpecField]] = field(default_factory=dict, repr=False)

    def get(self, code: str) -> Category | None:
        return self.categories.get(code)

    def with_descendants(self, code: str) -> list[str]:
        """The code and every code below it in the tree."""
        return [c for c in self.categories if c == code or c.startswith(code + "/")]

    def leaves(self) -> list[Category]:
        return [c for c in self.categories.values() if c.is_leaf]

    def fields_named(self, key: str) -> list[SpecField]:
        """Every category's field with this key (a key like `width` appears in several categories)."""
        return self._fields_by_key.get(key, [])

    def label_of(self, code: str) -> str:
        category = self.categories.get(code)
        if category is None:
            return code
        if category.parent and category.parent in self.categories:
            return f"{self.categories[category.parent].name} > {category.name}"
        return category.name

    def local_label_of(self, code: str) -> str:
        """`label_of` in the current page language."""
        category = self.categories.get(code)
        if category is None:
            return code
        if category.parent and category.parent in self.categories:
            return f"{self.categories[category.parent].local_name} > {category.local_name}"
        return category.local_name


class CatalogError(ValueError):
    """The catalogue file is inconsistent; raised at start so a bad edit never reaches users."""


def _field(raw: dict[str, Any], where: str) -> SpecField:
    kind = raw.get("type")
    if kind not in FIELD_TYPES:
        raise CatalogError(f"{where}: field type must be one of {FIELD_TYPES}, not {kind!r}")
    if kind == "enum" and not raw.get("choices"):
        raise CatalogError(f"{where}: an enum field needs choices")
    if raw.get("choices_zh") and len(raw["choices_zh"]) != len(raw["choices"]):
        raise CatalogError(f"{where}: choices_zh needs one Chinese word per choice, in the same order")
    return SpecField(
        key=raw["key"],
        label=raw["label"],
        type=kind,
        required=bool(raw.get("required", False)),
        unit=raw.get("unit"),
        unit_label=raw.get("unit_label"),
        choices=tuple(raw.get("choices", ())),
        example=raw.get("example"),
        label_zh=raw.get("label_zh"),
        choices_zh=tuple(raw.get("choices_zh", ())),
    )


def _rule(raw: dict[str, Any], where: str) -> ComplianceRule:
    if raw.get("kind") not in RULE_KINDS:
        raise CatalogError(f"{where}: rule kind must be one of {RULE_KINDS}, not {raw.get('kind')!r}")
    return ComplianceRule(
        kind=raw["kind"],
        certificate=raw.get("certificate"),
        field=raw.get("field"),
        document=raw.get("document"),
        min_days=raw.get("min_days"),
    )


def load_catalog(text: str) -> Catalog:
    """Parse and check a catalogue document (TOML)."""
    from exchange.specs.units import check_unit  # pint is loaded only when a catalogue is

    data = tomllib.loads(text)
    categories: dict[str, Category] = {}
    children: dict[str, list[str]] = {}
    for raw in data.get("categories", []):
        code = raw["code"]
        parent = code.rsplit("/", 1)[0] if "/" in code else None
        if parent is not None and parent not in categories:
            raise CatalogError(f"{code}: parent {parent} must come before it")
        own_fields = [_field(f, f"{code}.{f.get('key')}") for f in raw.get("fields", [])]
        for spec_field in own_fields:
            if spec_field.type == "number" and spec_field.unit:
                check_unit(spec_field.unit)
        inherited = categories[parent] if parent else None
        fields = (*(inherited.fields if inherited else ()), *own_fields)
        keys = [f.key for f in fields]
        if len(keys) != len(set(keys)):
            raise CatalogError(f"{code}: a field key appears twice")
        rules = (*(inherited.rules if inherited else ()), *(_rule(r, code) for r in raw.get("rules", [])))
        categories[code] = Category(
            code=code, name=raw["name"], parent=parent, fields=fields, rules=rules, name_zh=raw.get("name_zh")
        )
        children.setdefault(code, [])
        if parent:
            children[parent].append(code)
    for code, kids in children.items():
        if kids:
            old = categories[code]
            categories[code] = Category(old.code, old.name, old.parent, old.fields, old.rules, tuple(kids), old.name_zh)
    by_key: dict[str, list[SpecField]] = {}
    for category in categories.values():
        if category.is_leaf:
            for spec_field in category.fields:
                by_key.setdefault(spec_field.key, []).append(spec_field)
    return Catalog(version=int(data.get("version", 1)), categories=categories, _fields_by_key=by_key)


@cache
def get_catalog() -> Catalog:
    """The shipped catalogue (`exchange/specs/catalog.toml`), parsed once per process."""
    text = resources.files("exchange.specs").joinpath("catalog.toml").read_text(encoding="utf-8")
    return load_catalog(text)
