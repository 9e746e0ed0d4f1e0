"""engine identity: which bid engine (an embedded Redis on one host, or the shared REDIS_URL) keeps the lots

Revision ID: 0025_engine_identity
Revises: 0024_relist
Create Date: 2026-12-07 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025_engine_identity"
down_revision: str | Sequence[str] | None = "0024_relist"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bid_engine_identity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bid_engine_identity", schema=None) as batch_op:
        batch_op.drop_column("owner")
