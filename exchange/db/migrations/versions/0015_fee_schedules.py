"""fees: fee schedules (versioned per category), payout batches and their lines

Revision ID: 0015_fee_schedules
Revises: 0010_bid_keys_per_org
Create Date: 2026-12-06 21:16:41.547509
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0015_fee_schedules"
down_revision: str | Sequence[str] | None = "0013_order_flow"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fee_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tiers", sa.JSON(), nullable=False),
        sa.Column("fixed_fee_minor", sa.BigInteger(), nullable=False),
        sa.Column("broker_percent", sa.String(length=16), nullable=False),
        sa.Column("effective_from", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("fixed_fee_minor >= 0", name=op.f("ck_fee_schedules_fixed_fee_not_negative")),
        sa.CheckConstraint("version > 0", name=op.f("ck_fee_schedules_version_positive")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_fee_schedules_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_schedules")),
        sa.UniqueConstraint("category", "version", name="uq_fee_schedules_category_version"),
    )
    with op.batch_alter_table("fee_schedules", schema=None) as batch_op:
        batch_op.create_index("ix_fee_schedules_in_force", ["category", "effective_from"], unique=False)

    op.create_table(
        "payout_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("total_minor >= 0", name=op.f("ck_payout_batches_total_not_negative")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_payout_batches_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_batches")),
        sa.UniqueConstraint("key", name=op.f("uq_payout_batches_key")),
    )
    op.create_table(
        "payout_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("seller_org_id", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_payout_lines_amount_positive")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["payout_batches.id"], name=op.f("fk_payout_lines_batch_id_payout_batches")
        ),
        sa.ForeignKeyConstraint(["seller_org_id"], ["orgs.id"], name=op.f("fk_payout_lines_seller_org_id_orgs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_lines")),
        sa.UniqueConstraint("batch_id", "seller_org_id", name="uq_payout_lines_batch_seller"),
    )
    with op.batch_alter_table("payout_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payout_lines_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payout_lines_seller_org_id"), ["seller_org_id"], unique=False)
    op.add_column("orders", sa.Column("fee_schedule_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("fee_schedule_id")
    with op.batch_alter_table("payout_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payout_lines_seller_org_id"))
        batch_op.drop_index(batch_op.f("ix_payout_lines_batch_id"))

    op.drop_table("payout_lines")
    op.drop_table("payout_batches")
    with op.batch_alter_table("fee_schedules", schema=None) as batch_op:
        batch_op.drop_index("ix_fee_schedules_in_force")

    op.drop_table("fee_schedules")
