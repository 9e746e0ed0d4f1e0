"""search words: the sort orders' indexes a word search walks to its page (SQLite: status and asking price;
PostgreSQL: one partial index per sort over live lots, in the sort's direction, holding the filtered columns)

Revision ID: 0030_search_words
Revises: 0029_close_outbox
Create Date: 2026-12-07 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030_search_words"
down_revision: str | Sequence[str] | None = "0029_close_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ASKING = "coalesce(price_minor, min_bid_minor)"
_LIVE = sa.text("status = 'live'")
_FILTERED = ["visibility", "category", "grade", "sale_mode", "seller_org_id"]
_SORTS = {
    "ix_lots_live_newest": ("published_at DESC NULLS LAST", "id DESC"),
    "ix_lots_live_closing": ("ends_at ASC NULLS LAST", "id"),
    "ix_lots_live_cheapest": (f"{_ASKING} ASC NULLS LAST", "id"),
    "ix_lots_live_dearest": (f"{_ASKING} DESC NULLS LAST", "id DESC"),
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, keys in _SORTS.items():
            op.create_index(
                name, "lots", [sa.text(key) for key in keys], postgresql_where=_LIVE, postgresql_include=_FILTERED
            )
        op.execute("ANALYZE lots")
    else:
        op.create_index("ix_lots_status_asking", "lots", ["status", sa.text(_ASKING)])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in reversed(list(_SORTS)):
            op.drop_index(name, table_name="lots")
    else:
        op.drop_index("ix_lots_status_asking", table_name="lots")
