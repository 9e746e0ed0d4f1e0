"""The search index of a lot: its spec values (for range filters) and its terms (for `q`).

Rebuilt whenever a lot is created or edited, in the same transaction, so search never disagrees
with the lot.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.lots.models import Lot, LotSpecValue, LotTerm
from exchange.lots.terms import terms_of
from exchange.specs.catalog import get_catalog
from exchange.specs.validation import index_entries

__all__ = ["index_rows", "lot_index_rows", "reindex_lot"]


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
    return spec_rows, [{"term": term, "lot_id": lot_id} for term in sorted(terms)]


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
    """Replace the lot's spec values and terms with ones built from its current fields."""
    spec_rows, term_rows = lot_index_rows(lot)
    await session.execute(delete(LotSpecValue).where(LotSpecValue.lot_id == lot.id))
    await session.execute(delete(LotTerm).where(LotTerm.lot_id == lot.id))
    if spec_rows:
        await session.execute(insert(LotSpecValue), spec_rows)
    if term_rows:
        await session.execute(insert(LotTerm), term_rows)
