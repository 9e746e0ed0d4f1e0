"""matching: procurement requests, proposals and their lines (the brokers' desk)

Revision ID: 0016_procurement
Revises: 0010_bid_keys_per_org
Create Date: 2026-12-06 21:19:00.759346
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0016_procurement"
down_revision: str | Sequence[str] | None = "0015_fee_schedules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "procurement_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_org_id", sa.Integer(), nullable=False),
        sa.Column("broker_org_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("quantity_value", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("quantity_unit", sa.String(length=24), nullable=False),
        sa.Column("budget_min_minor", sa.BigInteger(), nullable=True),
        sa.Column("budget_max_minor", sa.BigInteger(), nullable=False),
        sa.Column("budget_total_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("certificates", sa.JSON(), nullable=False),
        sa.Column("requirement_groups", sa.JSON(), nullable=False),
        sa.Column("min_shelf_life_days", sa.Integer(), nullable=True),
        sa.Column("deliver_by", sa.Date(), nullable=False),
        sa.Column("region", sa.String(length=80), nullable=False),
        sa.Column("grades", sa.JSON(), nullable=False),
        sa.Column("branding", sa.JSON(), nullable=False),
        sa.Column("max_sellers", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["broker_org_id"], ["orgs.id"], name=op.f("fk_procurement_requests_broker_org_id_orgs")
        ),
        sa.ForeignKeyConstraint(
            ["client_org_id"], ["orgs.id"], name=op.f("fk_procurement_requests_client_org_id_orgs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_requests")),
    )
    with op.batch_alter_table("procurement_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procurement_requests_broker_org_id"), ["broker_org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_procurement_requests_client_org_id"), ["client_org_id"], unique=False)

    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("broker_org_id", sa.Integer(), nullable=False),
        sa.Column("client_org_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("valid_until", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("commission_percent", sa.Numeric(precision=6, scale=3), nullable=False),
        sa.Column("decline_reason", sa.Text(), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("sent_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("decided_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["broker_org_id"], ["orgs.id"], name=op.f("fk_proposals_broker_org_id_orgs")),
        sa.ForeignKeyConstraint(["client_org_id"], ["orgs.id"], name=op.f("fk_proposals_client_org_id_orgs")),
        sa.ForeignKeyConstraint(
            ["request_id"], ["procurement_requests.id"], name=op.f("fk_proposals_request_id_procurement_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposals_broker_org_id"), ["broker_org_id"], unique=False)
        batch_op.create_index("ix_proposals_client_status", ["client_org_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposals_request_id"), ["request_id"], unique=False)

    op.create_table(
        "proposal_lines",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("client_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("cost_minor", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name=op.f("fk_proposal_lines_lot_id_lots")),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_proposal_lines_proposal_id_proposals"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("proposal_id", "lot_id", name=op.f("pk_proposal_lines")),
    )
    with op.batch_alter_table("proposal_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_lines_lot_id"), ["lot_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("proposal_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_lines_lot_id"))

    op.drop_table("proposal_lines")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_request_id"))
        batch_op.drop_index("ix_proposals_client_status")
        batch_op.drop_index(batch_op.f("ix_proposals_broker_org_id"))

    op.drop_table("proposals")
    with op.batch_alter_table("procurement_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_requests_client_org_id"))
        batch_op.drop_index(batch_op.f("ix_procurement_requests_broker_org_id"))

    op.drop_table("procurement_requests")
