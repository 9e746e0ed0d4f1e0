"""The search index of a lot: its spec values (for range filters), its terms (for `q`) and its number
specs as columns of the lot (`spec_n1`..`spec_n4`, read by the covering search index).

Rebuilt whenever a lot is created or edited, in the same transaction, so search never disagrees
with the lot. Status, grade, price and visibility are the lot's own columns: publishing, withdrawing,
selling, relisting or cutting the price needs no index write.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.lots.models import SPEC_NUMBER_SLOTS, Lot, LotSpecValue, LotTerm
from exchange.lots.terms import terms_of
from exchange.specs.catalog import Catalog, Category, get_catalog
from exchange.specs.validation import index_entries

__all__ = ["index_rows", "lot_index_rows", "number_slot", "reindex_lot", "spec_number_columns"]


def number_slot(catalog: Catalog, category_code: str, key: str) -> int | None:
    """The `spec_n<slot>` column holding a category's number spec `key`, or None (not a number, or past the slots).

    Slots follow the order of the category's number fields in the catalogue; reordering them there needs the
    lots of that category re-indexed.
    """
    category = catalog.get(category_code)
    numbers = _number_keys(category) if category is not None else []
    return numbers.index(key) + 1 if key in numbers else None


def _number_keys(category: Category) -> list[str]:
    return [f.key for f in category.fields if f.type == "number"][:SPEC_NUMBER_SLOTS]


def spec_number_columns(category_code: str, spec_rows: list[dict[str, Any]]) -> dict[str, float | None]:
    """`spec_n1`..`spec_n4` of a lot from its spec value rows."""
    columns: dict[str, float | None] = {f"spec_n{slot}": None for slot in range(1, SPEC_NUMBER_SLOTS + 1)}
    category = get_catalog().get(category_code)
    if category is None:
        return columns
    numbers = _number_keys(category)
    for row in spec_rows:
        if row["key"] in numbers:
            columns[f"spec_n{numbers.index(row['key']) + 1}"] = row["num_value"]
    return columns


def index_rows(lot_id: int, fields: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(spec value rows, term rows) for a lot given as its column values; used by bulk loaders too."""
    catalog = get_catalog()
    category = catalog.get(fields["category"])
    specs: dict[str, Any] = fields.get("specs") or {}
    spec_rows: list[dict[str, Any]] = []
    spec_texts: list[str] = []
    if category is not None:
        for key, num, text in index_entries(category, specs):
            spec_rows.append(
                {"lot_id": lot_id, "key": key, "category": category.code, "num_value": num, "text_value": text}
            )
            if text is not None and text not in ("true", "false"):
                spec_texts.append(text)
    category_words = " ".join(
        [fields["category"].replace("/", " ").replace("-", " "), catalog.label_of(fields["category"])]
    )
    terms = terms_of(
        fields.get("title") or "",
        category_words,
        " ".join(spec_texts),
        " ".join(fields.get("certifications") or []),
        f"{fields.get('location_city') or ''} {fields.get('location_region') or ''}",
        fields.get("description") or "",
    )
    term_rows = [{"term": term, "lot_id": lot_id, "category": fields["category"]} for term in sorted(terms)]
    return spec_rows, term_rows


def lot_index_rows(lot: Lot) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`index_rows` of a lot's current fields: what the catalogue search (and the alert index) reads of it."""
    return index_rows(
        lot.id,
        {
            "category": lot.category,
            "specs": lot.specs,
            "title": lot.title,
            "description": lot.description,
            "certifications": lot.certifications,
            "location_city": lot.location_city,
            "location_region": lot.location_region,
        },
    )


async def reindex_lot(session: AsyncSession, lot: Lot) -> None:
    """Replace the lot's spec values, terms and number spec columns with ones built from its current fields."""
    spec_rows, term_rows = lot_index_rows(lot)
    for column, value in spec_number_columns(lot.category, spec_rows).items():
        setattr(lot, column, value)
    await session.execute(delete(LotSpecValue).where(LotSpecValue.lot_id == lot.id))
    await session.execute(delete(LotTerm).where(LotTerm.lot_id == lot.id))
    if spec_rows:
        await session.execute(insert(LotSpecValue), spec_rows)
    if term_rows:
        await session.execute(insert(LotTerm), term_rows)
