"""terms by category: each `lot_terms` row holds its lot's category, indexed (term, category, lot_id), so a
`q` word within a category is one index range

Revision ID: 0031_terms_by_category
Revises: 0030_search_words
Create Date: 2026-12-07 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031_terms_by_category"
down_revision: str | Sequence[str] | None = "0030_search_words"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NOT NULL with a default so SQLite can add it in place; every row is then given its lot's category.
    op.add_column("lot_terms", sa.Column("category", sa.String(80), nullable=False, server_default=""))
    op.execute("UPDATE lot_terms SET category = (SELECT lots.category FROM lots WHERE lots.id = lot_terms.lot_id)")
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("lot_terms", "category", server_default=None)
    op.create_index("ix_lot_terms_term_category", "lot_terms", ["term", "category", "lot_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE lot_terms")


def downgrade() -> None:
    op.drop_index("ix_lot_terms_term_category", table_name="lot_terms")
    with op.batch_alter_table("lot_terms") as batch:
        batch.drop_column("category")
