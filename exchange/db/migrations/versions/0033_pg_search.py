"""pg search: on PostgreSQL, partial indexes of live lots keyed by id, and by category then id, holding the
filtered columns, so a word search's postings are checked against their lots index-only (a merge join in
`lot_id` order, or a hash of the category's live lots) instead of a heap read per posting or a hash of every
live lot; and finer statistics on the word and category columns
(with how often each word falls in each category)

Revision ID: 0033_pg_search
Revises: 0032_dispute_words
Create Date: 2026-12-07 08:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0033_pg_search"
down_revision: str | Sequence[str] | None = "0032_dispute_words"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FILTERED = ["visibility", "category", "grade", "sale_mode", "seller_org_id"]
_INDEXES = {"ix_lots_live_id": ["id"], "ix_lots_live_category_id": ["category", "id"]}
_STATISTICS = {("lot_terms", "term"): 1000, ("lot_terms", "category"): 1000, ("lots", "category"): 1000}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, keys in _INDEXES.items():
        included = [column for column in _FILTERED if column not in keys]
        op.create_index(name, "lots", keys, postgresql_where=sa.text("status = 'live'"), postgresql_include=included)
    for (table, column), target in _STATISTICS.items():
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS {target}")
    # How often a word falls in a category (a word search within a category starts from its postings there).
    op.execute("CREATE STATISTICS st_lot_terms_term_category (ndistinct, mcv) ON term, category FROM lot_terms")
    op.execute("ANALYZE lots")
    op.execute("ANALYZE lot_terms")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP STATISTICS IF EXISTS st_lot_terms_term_category")
    for table, column in _STATISTICS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS -1")
    for name in reversed(list(_INDEXES)):
        op.drop_index(name, table_name="lots")
