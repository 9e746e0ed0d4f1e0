"""alerts: saved searches and their alerts, the went-live outbox, alert settings, slow-sale checks, price history

Revision ID: 0017_saved_searches
Revises: 0010_bid_keys_per_org
Create Date: 2026-12-06 21:20:22
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0017_saved_searches"
down_revision: str | Sequence[str] | None = "0016_procurement"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_settings",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("suggestions_enabled", sa.Boolean(), nullable=False),
        sa.Column("last_digest_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=op.f("fk_alert_settings_org_id_orgs")),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_alert_settings")),
    )
    op.create_table(
        "lot_price_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("old_minor", sa.BigInteger(), nullable=True),
        sa.Column("new_minor", sa.BigInteger(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["by_user_id"], ["users.id"], name=op.f("fk_lot_price_changes_by_user_id_users")),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["lots.id"], name=op.f("fk_lot_price_changes_lot_id_lots"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lot_price_changes")),
    )
    with op.batch_alter_table("lot_price_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lot_price_changes_lot_id"), ["lot_id"], unique=False)

    op.create_table(
        "lot_went_live",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("queued_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("processed_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name=op.f("fk_lot_went_live_lot_id_lots"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lot_went_live")),
    )
    with op.batch_alter_table("lot_went_live", schema=None) as batch_op:
        batch_op.create_index("ix_lot_went_live_processed_id", ["processed_at", "id"], unique=False)

    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("query", sa.String(length=2000), nullable=False),
        sa.Column("frequency", sa.String(length=8), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=op.f("fk_saved_searches_org_id_orgs")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_saved_searches_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_searches")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("saved_searches", schema=None) as batch_op:
        batch_op.create_index("ix_saved_searches_org_id", ["org_id", "id"], unique=False)

    op.create_table(
        "slow_sale_checks",
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("due_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("fired_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("advice", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["lots.id"], name=op.f("fk_slow_sale_checks_lot_id_lots"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("lot_id", name=op.f("pk_slow_sale_checks")),
    )
    with op.batch_alter_table("slow_sale_checks", schema=None) as batch_op:
        batch_op.create_index("ix_slow_sale_checks_due", ["fired_at", "due_at"], unique=False)

    op.create_table(
        "saved_search_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("search_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.String(length=8), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("digested_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["lots.id"], name=op.f("fk_saved_search_alerts_lot_id_lots"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=op.f("fk_saved_search_alerts_org_id_orgs")),
        sa.ForeignKeyConstraint(
            ["search_id"],
            ["saved_searches.id"],
            name=op.f("fk_saved_search_alerts_search_id_saved_searches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_search_alerts")),
        sa.UniqueConstraint("search_id", "lot_id", name="uq_saved_search_alerts_search_lot"),
    )
    with op.batch_alter_table("saved_search_alerts", schema=None) as batch_op:
        batch_op.create_index("ix_saved_search_alerts_lot_id", ["lot_id"], unique=False)
        batch_op.create_index("ix_saved_search_alerts_org_digest", ["org_id", "frequency", "digested_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("saved_search_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_saved_search_alerts_org_digest")
        batch_op.drop_index("ix_saved_search_alerts_lot_id")

    op.drop_table("saved_search_alerts")
    with op.batch_alter_table("slow_sale_checks", schema=None) as batch_op:
        batch_op.drop_index("ix_slow_sale_checks_due")

    op.drop_table("slow_sale_checks")
    with op.batch_alter_table("saved_searches", schema=None) as batch_op:
        batch_op.drop_index("ix_saved_searches_org_id")

    op.drop_table("saved_searches")
    with op.batch_alter_table("lot_went_live", schema=None) as batch_op:
        batch_op.drop_index("ix_lot_went_live_processed_id")

    op.drop_table("lot_went_live")
    with op.batch_alter_table("lot_price_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lot_price_changes_lot_id"))

    op.drop_table("lot_price_changes")
    op.drop_table("alert_settings")
