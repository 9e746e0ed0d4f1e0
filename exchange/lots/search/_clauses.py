"""A `LotQuery`'s filters as WHERE clauses and its sort as ORDER BY (no I/O).

Every filter is a WHERE on an indexed column or an `id IN (index range)` on the spec table, so no row's
JSON is read to decide whether it matches.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, false, func, or_, select

from exchange.accounts.principal import Principal
from exchange.lots.index import number_slot
from exchange.lots.models import ASKING_PRICE, Lot, LotSpecValue
from exchange.lots.search._filters import LotQuery, SpecFilter
from exchange.lots.visibility import visible_lots_clause
from exchange.specs.catalog import Catalog

__all__ = ["ASKING_PRICE", "SQLITE_SORT_INDEX", "filter_clauses", "ordered", "sort_keys", "sqlite_index"]

SQLITE_SORT_INDEX = {
    "newest": "ix_lots_status_published_at",
    "closing": "ix_lots_status_ends_at",
    "price_asc": "ix_lots_status_asking",
    "price_desc": "ix_lots_status_asking",
}
"""The index a walk of a sort's order reads on SQLite (status, then the sort key; read backwards for DESC)."""


def _spec_clause(spec: SpecFilter, categories: list[str], catalog: Catalog) -> Any:
    """A number filter on the lot's `spec_n<slot>` columns (checked on the covering index entry) when every
    category with that number spec has it in a slot; otherwise (text values, specs past the slots) the spec
    index subquery."""
    if spec.texts:
        return _spec_values_clause(spec, categories)
    by_slot: dict[int, list[str]] = {}
    for code in categories or list(catalog.categories):
        category = catalog.get(code)
        spec_field = category.field(spec.key) if category is not None else None
        if spec_field is None or spec_field.type != "number":
            continue  # no number value of this spec is indexed for its lots
        slot = number_slot(catalog, code, spec.key)
        if slot is None:
            return _spec_values_clause(spec, categories)
        by_slot.setdefault(slot, []).append(code)
    if not by_slot:
        return false()
    return or_(*(_slot_clause(spec, slot, codes) for slot, codes in sorted(by_slot.items())))


def _slot_clause(spec: SpecFilter, slot: int, codes: list[str]) -> Any:
    column = getattr(Lot, f"spec_n{slot}")
    conditions: list[Any] = [Lot.category == codes[0] if len(codes) == 1 else Lot.category.in_(codes)]
    if spec.low is not None:
        conditions.append(column >= spec.low)
    if spec.high is not None:
        conditions.append(column <= spec.high)
    if spec.numeric_values:
        conditions.append(column.in_(spec.numeric_values))
    return and_(*conditions)


def _spec_values_clause(spec: SpecFilter, categories: list[str]) -> Any:
    conditions: list[Any] = [LotSpecValue.key == spec.key]
    if categories:
        conditions.append(
            LotSpecValue.category == categories[0] if len(categories) == 1 else LotSpecValue.category.in_(categories)
        )
    if spec.low is not None:
        conditions.append(LotSpecValue.num_value >= spec.low)
    if spec.high is not None:
        conditions.append(LotSpecValue.num_value <= spec.high)
    if spec.numeric_values:
        conditions.append(LotSpecValue.num_value.in_(spec.numeric_values))
    if spec.texts:
        conditions.append(LotSpecValue.text_value.in_(spec.texts))
    return Lot.id.in_(select(LotSpecValue.lot_id).where(*conditions))


def filter_clauses(
    query: LotQuery, principal: Principal | None, catalog: Catalog, *, skip: str | None = None
) -> list[Any]:
    """Every filter but the words as a WHERE clause; `skip="grade"` leaves out the grade filter for the facet
    counts. The words are added by `_word_search`: a join on the rarest word's postings, or a probe per lot."""
    clauses: list[Any] = [visible_lots_clause(principal)]
    clauses.append(Lot.status == query.statuses[0] if len(query.statuses) == 1 else Lot.status.in_(query.statuses))
    if query.categories:
        clauses.append(
            Lot.category == query.categories[0] if len(query.categories) == 1 else Lot.category.in_(query.categories)
        )
    if query.grades and skip != "grade":
        clauses.append(Lot.grade.in_(query.grades))
    if query.modes:
        clauses.append(Lot.sale_mode.in_(query.modes))
    if query.currency:
        clauses.append(Lot.currency == query.currency)
    if query.price_min is not None:
        clauses.append(query.price_min <= ASKING_PRICE)
    if query.price_max is not None:
        clauses.append(query.price_max >= ASKING_PRICE)
    if query.location:
        clauses.append(
            or_(func.lower(Lot.location_city) == query.location, func.lower(Lot.location_region) == query.location)
        )
    if query.country:
        clauses.append(Lot.location_country == query.country)
    clauses.extend(_spec_clause(spec, query.categories, catalog) for spec in query.specs)
    return clauses


def sort_keys(
    sort: str,
    *,
    ends_at: Any = Lot.ends_at,
    asking: Any = ASKING_PRICE,
    published_at: Any = Lot.published_at,
    lot_id: Any = Lot.id,
) -> list[Any]:
    """The ORDER BY of a sort (missing keys last, ties by id), on the lot's columns or a subquery's."""
    if sort == "closing":
        return [ends_at.asc().nulls_last(), lot_id.asc()]
    if sort == "price_asc":
        return [asking.asc().nulls_last(), lot_id.asc()]
    if sort == "price_desc":
        return [asking.desc().nulls_last(), lot_id.desc()]
    return [published_at.desc().nulls_last(), lot_id.desc()]


def ordered(statement: Select[Any], sort: str) -> Select[Any]:
    return statement.order_by(*sort_keys(sort))


def sqlite_index(statement: Select[Any], index: str) -> Select[Any]:
    """`statement` reading the lots through `index` on SQLite (INDEXED BY), where the search has chosen the way
    itself; SQLite's planner would otherwise weigh it against its statistics, and after an ANALYZE it sorted a
    category's 70 000 matches instead of walking the sort index to the page. Other databases plan as they see fit."""
    return statement.with_hint(Lot, f"INDEXED BY {index}", dialect_name="sqlite")
