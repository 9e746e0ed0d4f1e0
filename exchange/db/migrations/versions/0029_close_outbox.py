"""close outbox: a close's notifications and live event, written in the award's transaction, delivered by any process

Revision ID: 0029_close_outbox
Revises: 0028_match_factors
Create Date: 2026-12-07 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy
import sqlalchemy as sa
from alembic import op

revision: str = "0029_close_outbox"
down_revision: str | Sequence[str] | None = "0028_match_factors"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "close_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("delivered_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name=op.f("fk_close_outbox_lot_id_lots"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=op.f("fk_close_outbox_org_id_orgs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_close_outbox")),
        sa.UniqueConstraint("lot_id", "recipient", name="uq_close_outbox_recipient"),
    )
    op.create_index("ix_close_outbox_undelivered", "close_outbox", ["delivered_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_close_outbox_undelivered", table_name="close_outbox")
    op.drop_table("close_outbox")
