"""Whether a live lot matches a saved search: the reference rule (the catalogue search's filters read the
same way as `exchange.lots.search`), which the alert index (`exchange.alerts.index`) is held to by tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec

from exchange.lots.search import LotQuery, SpecFilter

__all__ = ["FREQUENCIES", "LotFeatures", "criteria_of", "matches", "query_of"]

FREQUENCIES = ("instant", "daily")
_QUERY_ONLY = ("q", "sort", "limit", "offset")
"""Parts of a parsed search that do not decide which lots match (`q` is kept as its `terms`)."""


def criteria_of(query: LotQuery) -> dict[str, Any]:
    """A parsed search as JSON for the saved search's `criteria` column (what the alert index is built from)."""
    data: dict[str, Any] = msgspec.to_builtins(query)
    for name in _QUERY_ONLY:
        data.pop(name, None)
    data["specs"] = [{k: v for k, v in spec.items() if v or v == 0} for spec in data.get("specs", [])]
    return {name: value for name, value in data.items() if value is not None and value != []}


def query_of(criteria: dict[str, Any] | str | bytes) -> LotQuery:
    """The parsed search back from its `criteria` JSON, as a dict or as the JSON text (read field by field:
    a worker loads up to millions)."""
    data: dict[str, Any] = msgspec.json.decode(criteria) if isinstance(criteria, str | bytes) else criteria
    get = data.get
    return LotQuery(
        terms=[(str(term), bool(prefix)) for term, prefix in get("terms") or ()],
        category=get("category"),
        categories=list(get("categories") or ()),
        grades=list(get("grades") or ()),
        modes=list(get("modes") or ()),
        statuses=list(get("statuses") or ("live",)),
        price_min=get("price_min"),
        price_max=get("price_max"),
        currency=get("currency"),
        location=get("location"),
        country=get("country"),
        specs=[
            SpecFilter(
                key=spec["key"],
                low=spec.get("low"),
                high=spec.get("high"),
                texts=list(spec.get("texts") or ()),
                numeric_values=list(spec.get("numeric_values") or ()),
            )
            for spec in get("specs") or ()
        ],
    )


@dataclass(frozen=True, slots=True)
class LotFeatures:
    """What a search can ask of a lot, as the search index holds it (numbers in SI base units, text lower-case)."""

    lot_id: int
    category: str
    grade: str
    mode: str
    currency: str
    price: int | None
    """The asking price: the fixed price, or the public minimum bid (None: neither)."""
    city: str
    region: str
    country: str
    numbers: dict[str, float] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    terms: frozenset[str] = frozenset()


def _spec_holds(spec: SpecFilter, lot: LotFeatures) -> bool:
    """The lot has the spec, within the range and among the values asked for (as `lot_spec_values` is read)."""
    number, text = lot.numbers.get(spec.key), lot.texts.get(spec.key)
    if number is None and text is None:
        return False
    if spec.low is not None and (number is None or number < spec.low):
        return False
    if spec.high is not None and (number is None or number > spec.high):
        return False
    if spec.numeric_values and number not in spec.numeric_values:
        return False
    return not spec.texts or text in spec.texts


def matches(query: LotQuery, lot: LotFeatures) -> bool:
    """Whether a live lot is one `query` finds on /lots (visibility aside): the catalogue search's filters,
    read the same way (`exchange.lots.search._query`)."""
    if "live" not in query.statuses:
        return False
    if query.categories and lot.category not in query.categories:
        return False
    if query.grades and lot.grade not in query.grades:
        return False
    if query.modes and lot.mode not in query.modes:
        return False
    if query.currency and lot.currency != query.currency:
        return False
    if query.price_min is not None and (lot.price is None or lot.price < query.price_min):
        return False
    if query.price_max is not None and (lot.price is None or lot.price > query.price_max):
        return False
    if query.location and query.location not in (lot.city, lot.region):
        return False
    if query.country and lot.country != query.country:
        return False
    for term, prefix in query.terms:
        if prefix:
            if not any(t.startswith(term) for t in lot.terms):
                return False
        elif term not in lot.terms:
            return False
    return all(_spec_holds(spec, lot) for spec in query.specs)
