"""match factors: an index holding every lot column the brokers' desk's score ceiling reads

Revision ID: 0028_match_factors
Revises: 0026_search_index
Create Date: 2026-12-07 04:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0028_match_factors"
down_revision: str | Sequence[str] | None = "0026_search_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    "status", "category", "grade", "visibility", "seller_org_id", "currency", "quantity_unit", "sale_mode",
    "quantity_value", "price_minor", "min_bid_minor", "best_before", "location_region", "location_city",
]  # fmt: skip


def upgrade() -> None:
    # Derived from the lot's own columns, so the database keeps it current on every write (publish, price cut,
    # relist, withdrawal, sale): matching a category of 100 000 lots reads this index, not the wide lot rows.
    op.create_index("ix_lots_match", "lots", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_lots_match", table_name="lots")
