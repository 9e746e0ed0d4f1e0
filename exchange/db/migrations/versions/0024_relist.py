"""relist: a sealed-bid lot whose buyer did not pay is relisted as a new lot that names the lot it came from

Revision ID: 0024_relist
Revises: 0022_trust
Create Date: 2026-12-07 01:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_relist"
down_revision: str | Sequence[str] | None = "0022_trust"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE (no batch copy of lots on SQLite: it is referenced by many tables). The unique index is
    # what keeps a lot from being relisted twice.
    op.add_column("lots", sa.Column("relisted_from_id", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_lots_relisted_from_id"), "lots", ["relisted_from_id"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_lots_relisted_from_id"), table_name="lots")
    op.drop_column("lots", "relisted_from_id")
