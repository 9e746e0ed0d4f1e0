"""Search parameters read from a query string into a `LotQuery` (no I/O).

`spec.width.gte=140cm` becomes a range on the spec index in SI base units, whatever unit the
buyer typed; a filter naming a spec no category has, or a unit of the wrong kind, is a 422 naming
the parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from exchange.errors import Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.lots import rules
from exchange.lots.errors import UNIT_REQUIRED
from exchange.lots.terms import query_terms
from exchange.money import parse_currency, parse_money
from exchange.specs.catalog import Catalog, CategoryName, SpecField, SpecLabel
from exchange.specs.errors import UNKNOWN_SPEC
from exchange.specs.units import convert, split_measure, to_base

__all__ = ["MAX_LIMIT", "MAX_OFFSET", "SORTS", "LotQuery", "SpecFilter", "parse_lot_query"]

SORTS = ("newest", "closing", "price_asc", "price_desc")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 10_000
MAX_SPEC_FILTERS = 12
_TRUE = {"true", "yes", "1", "on", "y"}
_FALSE = {"false", "no", "0", "off", "n"}


@dataclass(slots=True)
class SpecFilter:
    key: str
    low: float | None = None
    high: float | None = None
    texts: list[str] = field(default_factory=list)
    numeric_values: list[float] = field(default_factory=list)


@dataclass(slots=True)
class LotQuery:
    terms: list[tuple[str, bool]] = field(default_factory=list)
    q: str = ""
    category: str | None = None
    categories: list[str] = field(default_factory=list)
    """The category and its sub-categories."""
    grades: list[str] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=lambda: ["live"])
    price_min: int | None = None
    price_max: int | None = None
    currency: str | None = None
    location: str | None = None
    country: str | None = None
    specs: list[SpecFilter] = field(default_factory=list)
    sort: str = "newest"
    limit: int = DEFAULT_LIMIT
    offset: int = 0


def _values(params: Mapping[str, Sequence[str]], name: str) -> list[str]:
    return [v.strip() for v in params.get(name, []) if v and v.strip()]


def _one(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = _values(params, name)
    return values[-1] if values else None


def _choices(params: Mapping[str, Sequence[str]], name: str, allowed: Sequence[str]) -> list[str]:
    chosen: list[str] = []
    for raw in _values(params, name):
        for value in raw.split(","):
            value = value.strip()
            if not value:
                continue
            if value not in allowed:
                raise Unprocessable(
                    Msg(
                        "{name} must be one of: {choices} (not {value}).",
                        name=name,
                        choices=", ".join(allowed),
                        value=repr(value[:30]),
                    ),
                    field=name,
                )
            if value not in chosen:
                chosen.append(value)
    return chosen


def _int(params: Mapping[str, Sequence[str]], name: str, default: int, low: int, high: int) -> int:
    raw = _one(params, name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise Unprocessable(
            Msg("{name} must be a whole number from {low} to {high}.", name=name, low=low, high=high), field=name
        )
    return int(raw)


def _candidate_fields(catalog: Catalog, key: str, categories: list[str], name: str) -> list[SpecField]:
    if categories:
        fields = [
            f
            for code in categories
            if (c := catalog.get(code)) is not None and c.is_leaf
            for f in c.fields
            if f.key == key
        ]
    else:
        fields = catalog.fields_named(key)
    if not fields:
        named = catalog.get(categories[0]) if categories else None
        where = CategoryName(named) if named else Msg("Any category")
        raise Unprocessable(
            Msg("{where} has no spec called {key}.", where=where, key=repr(key[:40])), field=name, code=UNKNOWN_SPEC
        )
    return fields


def _number(raw: str, fields: list[SpecField], name: str) -> float:
    number_fields = [f for f in fields if f.type == "number"]
    label = SpecLabel(number_fields[0])
    magnitude, unit_text = split_measure(raw, field=name, label=label)
    if unit_text is None:
        units = {f.unit for f in number_fields}
        if len(units) > 1:
            example = f"{raw}{sorted(u or '' for u in units)[0]}"
            raise Unprocessable(
                Msg(
                    "{label} is measured in different units across categories; give a unit (like {example}) "
                    "or pick a category.",
                    label=label,
                    example=example,
                ),
                field=name,
                code=UNIT_REQUIRED,
            )
    target = number_fields[0].unit
    return to_base(convert(magnitude, unit_text, target, field=name, label=label), target)


def _spec_filter(catalog: Catalog, query: LotQuery, param: str, raw_values: list[str]) -> SpecFilter | None:
    parts = param.split(".")
    if len(parts) not in (2, 3) or not parts[1]:
        raise Unprocessable(N_("Spec filters look like spec.width=150cm or spec.width.gte=140cm."), field=param)
    key, op = parts[1], (parts[2] if len(parts) == 3 else "eq")
    if op not in ("eq", "gte", "lte"):
        raise Unprocessable(
            Msg("{param}: use spec.{key}, spec.{key}.gte or spec.{key}.lte.", param=param, key=key), field=param
        )
    fields = _candidate_fields(catalog, key, query.categories, param)
    existing = next((f for f in query.specs if f.key == key), None)
    spec = existing or SpecFilter(key=key)
    is_number = any(f.type == "number" for f in fields)
    for raw in raw_values:
        if is_number:
            value = _number(raw, fields, param)
            if op == "gte":
                spec.low = value if spec.low is None else max(spec.low, value)
            elif op == "lte":
                spec.high = value if spec.high is None else min(spec.high, value)
            else:
                spec.numeric_values.append(value)
        else:
            if op != "eq":
                raise Unprocessable(
                    Msg(
                        "{label} is not a number; filter it with spec.{key}=value.", label=SpecLabel(fields[0]), key=key
                    ),
                    field=param,
                )
            text = " ".join(raw.lower().split())[:200]
            if fields[0].type == "bool":
                text = "true" if text in _TRUE else "false" if text in _FALSE else text
            spec.texts.append(text)
    return None if existing else spec


def parse_lot_query(params: Mapping[str, Sequence[str]], catalog: Catalog) -> LotQuery:
    """A checked search; a 422 naming the parameter for anything that cannot be understood."""
    query = LotQuery()
    q = _one(params, "q") or ""
    if len(q) > 200:
        raise Unprocessable(N_("The search text is longer than 200 characters."), field="q")
    query.q, query.terms = q, query_terms(q)
    category = _one(params, "category")
    if category:
        if catalog.get(category) is None:
            raise Unprocessable(Msg("There is no category {category}.", category=repr(category[:80])), field="category")
        query.category = category
        query.categories = catalog.with_descendants(category)
    query.grades = _choices(params, "grade", rules.GRADES)
    query.modes = _choices(params, "mode", rules.SALE_MODES)
    query.statuses = _choices(params, "status", rules.STATUSES) or ["live"]
    query.sort = (_choices(params, "sort", SORTS) or ["newest"])[-1]
    query.limit = _int(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    query.offset = _int(params, "offset", 0, 0, MAX_OFFSET)
    currency_raw = _one(params, "currency")
    price_min, price_max = _one(params, "price_min"), _one(params, "price_max")
    if currency_raw or price_min or price_max:
        query.currency = parse_currency(currency_raw)
        if price_min:
            query.price_min = parse_money(price_min, query.currency, field="price_min", allow_zero=True)
        if price_max:
            query.price_max = parse_money(price_max, query.currency, field="price_max", allow_zero=True)
    location = _one(params, "location")
    query.location = " ".join(location.lower().split())[:80] if location else None
    country = _one(params, "country")
    if country:
        query.country = rules.check_country(country, field="country")
    spec_params = [name for name in params if name.startswith("spec.")]
    if len(spec_params) > MAX_SPEC_FILTERS:
        raise Unprocessable(Msg("At most {count} spec filters at once.", count=MAX_SPEC_FILTERS), field=spec_params[0])
    for name in spec_params:
        raw_values = _values(params, name)
        if raw_values:
            spec = _spec_filter(catalog, query, name, raw_values)
            if spec is not None:
                query.specs.append(spec)
    return query
