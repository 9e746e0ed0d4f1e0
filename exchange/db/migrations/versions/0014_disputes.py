"""disputes: inspection records, order evidence, disputes and their messages

Revision ID: 0014_disputes
Revises: 0010_bid_keys_per_org
Create Date: 2026-12-06 21:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0014_disputes"
down_revision: str | Sequence[str] | None = "0017_saved_searches"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("sampling", sa.String(length=8), nullable=False),
        sa.Column("lot_size", sa.BigInteger(), nullable=False),
        sa.Column("sample_size", sa.BigInteger(), nullable=False),
        sa.Column("units_inspected", sa.BigInteger(), nullable=False),
        sa.Column("units_defective", sa.BigInteger(), nullable=False),
        sa.Column("defects_by_kind", sa.JSON(), nullable=False),
        sa.Column("observed_grade", sa.String(length=1), nullable=True),
        sa.Column("photo_ids", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("suggested_refund_minor", sa.BigInteger(), nullable=False),
        sa.Column("refund_lines", sa.JSON(), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "units_defective >= 0 AND units_defective <= units_inspected",
            name=op.f("ck_inspections_defective_in_sample"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_inspections_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=op.f("fk_inspections_org_id_orgs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
    )
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspections_order_id"), ["order_id"], unique=False)

    op.create_table(
        "order_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_evidence_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=op.f("fk_order_evidence_org_id_orgs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_evidence")),
    )
    with op.batch_alter_table("order_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_evidence_order_id"), ["order_id"], unique=False)

    op.create_table(
        "disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("buyer_org_id", sa.Integer(), nullable=False),
        sa.Column("seller_org_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("claimed_refund_minor", sa.BigInteger(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("suggested_refund_minor", sa.BigInteger(), nullable=True),
        sa.Column("evidence_ids", sa.JSON(), nullable=False),
        sa.Column("answer", sa.String(length=8), nullable=True),
        sa.Column("offer_minor", sa.BigInteger(), nullable=True),
        sa.Column("answer_message", sa.Text(), nullable=False),
        sa.Column("answer_due_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("answered_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("escalated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("escalated_by", sa.String(length=40), nullable=True),
        sa.Column("decide_by", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("decision_window_s", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("refund_minor", sa.BigInteger(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("resolved_by", sa.String(length=40), nullable=True),
        sa.Column("resolved_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("claimed_refund_minor >= 0", name=op.f("ck_disputes_claim_not_negative")),
        sa.CheckConstraint("refund_minor IS NULL OR refund_minor >= 0", name=op.f("ck_disputes_refund_not_negative")),
        sa.ForeignKeyConstraint(["buyer_org_id"], ["orgs.id"], name=op.f("fk_disputes_buyer_org_id_orgs")),
        sa.ForeignKeyConstraint(
            ["inspection_id"], ["inspections.id"], name=op.f("fk_disputes_inspection_id_inspections")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_disputes_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["seller_org_id"], ["orgs.id"], name=op.f("fk_disputes_seller_org_id_orgs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
        sa.UniqueConstraint("order_id", name=op.f("uq_disputes_order_id")),
    )
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disputes_buyer_org_id"), ["buyer_org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_disputes_seller_org_id"), ["seller_org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_disputes_status"), ["status"], unique=False)

    op.create_table(
        "dispute_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=40), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("evidence_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dispute_id"], ["disputes.id"], name=op.f("fk_dispute_messages_dispute_id_disputes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_messages")),
    )
    with op.batch_alter_table("dispute_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispute_messages_dispute_id"), ["dispute_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dispute_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispute_messages_dispute_id"))

    op.drop_table("dispute_messages")
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disputes_status"))
        batch_op.drop_index(batch_op.f("ix_disputes_seller_org_id"))
        batch_op.drop_index(batch_op.f("ix_disputes_buyer_org_id"))

    op.drop_table("disputes")
    with op.batch_alter_table("order_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_evidence_order_id"))

    op.drop_table("order_evidence")
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspections_order_id"))

    op.drop_table("inspections")
