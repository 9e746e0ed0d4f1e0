"""search index: a lot's first four number specs as columns, and one index covering every search filter,
facet count and sort key (a million live lots are counted from index entries alone)

Revision ID: 0026_search_index
Revises: 0025_engine_identity
Create Date: 2026-12-07 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026_search_index"
down_revision: str | Sequence[str] | None = "0025_engine_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SLOTS = ("spec_n1", "spec_n2", "spec_n3", "spec_n4")
_COVER = (
    "status", "category", "visibility", "grade", *_SLOTS,
    "sale_mode", "currency", "price_minor", "min_bid_minor", "seller_org_id", "published_at", "ends_at",
)  # fmt: skip


def _backfill() -> None:
    """Each category's number specs, in catalogue order, from the spec index into their slot columns."""
    from exchange.specs.catalog import get_catalog

    lots = sa.table("lots", sa.column("id"), sa.column("category"), *(sa.column(c) for c in _SLOTS))
    values = sa.table("lot_spec_values", sa.column("lot_id"), sa.column("key"), sa.column("num_value"))
    for category in get_catalog().categories.values():
        numbers = [f.key for f in category.fields if f.type == "number"][: len(_SLOTS)]
        for column, key in zip(_SLOTS, numbers, strict=False):
            number = sa.select(values.c.num_value).where(values.c.lot_id == lots.c.id, values.c.key == key)
            op.execute(lots.update().where(lots.c.category == category.code).values({column: number.scalar_subquery()}))


def upgrade() -> None:
    # Plain ALTER TABLE (no batch copy of lots on SQLite: it is referenced by many tables).
    for column in _SLOTS:
        op.add_column("lots", sa.Column(column, sa.Float(), nullable=True))
    _backfill()
    op.drop_index("ix_lots_search", table_name="lots")
    op.create_index("ix_lots_search_cover", "lots", list(_COVER), unique=False)


def downgrade() -> None:
    op.drop_index("ix_lots_search_cover", table_name="lots")
    op.create_index(
        "ix_lots_search", "lots", ["status", "category", "grade", "visibility", "seller_org_id", "published_at"]
    )
    for column in reversed(_SLOTS):
        op.drop_column("lots", column)
