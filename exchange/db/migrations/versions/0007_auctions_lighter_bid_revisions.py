"""auctions: bid_revisions keeps only the indexes a lookup needs (fewer pages written per bid)

The Idempotency-Key index covers only rows that have a key; the index on the bidder alone goes
(nothing looks revisions up by bidder without the lot, and orgs are never deleted).

Revision ID: 0007_auctions_lighter
Revises: 0006_auctions
Create Date: 2026-11-22 10:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_auctions_lighter"
down_revision: str | Sequence[str] | None = "0006_auctions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HAS_KEY = sa.text("idempotency_key IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("bid_revisions", schema=None) as batch_op:
        batch_op.drop_index("ix_bid_revisions_bidder_org_id")
        batch_op.drop_constraint("uq_bid_revisions_idempotency", type_="unique")
        batch_op.create_index(
            "uq_bid_revisions_idempotency",
            ["lot_id", "bidder_org_id", "idempotency_key"],
            unique=True,
            sqlite_where=HAS_KEY,
            postgresql_where=HAS_KEY,
        )


def downgrade() -> None:
    with op.batch_alter_table("bid_revisions", schema=None) as batch_op:
        batch_op.drop_index("uq_bid_revisions_idempotency")
        batch_op.create_unique_constraint(
            "uq_bid_revisions_idempotency", ["lot_id", "bidder_org_id", "idempotency_key"]
        )
        batch_op.create_index("ix_bid_revisions_bidder_org_id", ["bidder_org_id"], unique=False)
