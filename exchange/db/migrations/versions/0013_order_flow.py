"""orders: the order flow after the sale (timeline, deadlines, payments, credit terms, runner-up offers)

`orders.lot_id` is no longer unique: a partial unique index keeps one live (not cancelled) order per lot,
so a lot whose winner did not pay can be sold to a runner-up.

Revision ID: 0013_order_flow
Revises: 0012_audit
Create Date: 2026-12-06 21:19:38.434244
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0013_order_flow"
down_revision: str | Sequence[str] | None = "0012_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "credit_lines",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("limit_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("net_days", sa.Integer(), nullable=False),
        sa.Column("exposure_minor", sa.BigInteger(), nullable=False),
        sa.Column("granted_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("granted_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["granted_by"], ["users.id"], name=op.f("fk_credit_lines_granted_by_users")),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=op.f("fk_credit_lines_org_id_orgs")),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_credit_lines")),
    )
    op.create_table(
        "order_deadlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("due_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("remind_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("reminded_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("fired_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_deadlines_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_deadlines")),
        sa.UniqueConstraint("order_id", "name", name="uq_order_deadlines_order_name"),
    )
    with op.batch_alter_table("order_deadlines", schema=None) as batch_op:
        batch_op.create_index("ix_order_deadlines_open", ["fired_at", "due_at"], unique=False)

    op.create_table(
        "order_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_events_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_events")),
    )
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_events_order_id"), ["order_id"], unique=False)

    op.create_table(
        "order_payments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("provider", sa.String(length=24), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("confirmed_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_payments_order_id_orders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_payments")),
    )
    with op.batch_alter_table("order_payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_payments_order_id"), ["order_id"], unique=False)

    op.create_table(
        "runner_up_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("after_order_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("due_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("decided_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["after_order_id"], ["orders.id"], name=op.f("fk_runner_up_offers_after_order_id_orders")
        ),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name=op.f("fk_runner_up_offers_lot_id_lots")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_runner_up_offers_order_id_orders")),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=op.f("fk_runner_up_offers_org_id_orgs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runner_up_offers")),
        sa.UniqueConstraint("lot_id", "org_id", name="uq_runner_up_offers_lot_org"),
    )
    with op.batch_alter_table("runner_up_offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_runner_up_offers_lot_id"), ["lot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_runner_up_offers_org_id"), ["org_id"], unique=False)
        batch_op.create_index(
            "uq_runner_up_offers_open_lot",
            ["lot_id"],
            unique=True,
            sqlite_where=sa.text("status = 'offered'"),
            postgresql_where=sa.text("status = 'offered'"),
        )

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shipment", sa.JSON(), server_default="{}", nullable=False))
        batch_op.add_column(sa.Column("on_credit", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(
            sa.Column("invoice_due_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("invoice_paid_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True)
        )
        batch_op.drop_constraint(batch_op.f("uq_orders_lot_id"), type_="unique")
        batch_op.create_index(batch_op.f("ix_orders_invoice_due_at"), ["invoice_due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_lot_id"), ["lot_id"], unique=False)
        batch_op.create_index(
            "uq_orders_live_lot",
            ["lot_id"],
            unique=True,
            sqlite_where=sa.text("status != 'cancelled'"),
            postgresql_where=sa.text("status != 'cancelled'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_orders_live_lot",
            sqlite_where=sa.text("status != 'cancelled'"),
            postgresql_where=sa.text("status != 'cancelled'"),
        )
        batch_op.drop_index(batch_op.f("ix_orders_lot_id"))
        batch_op.drop_index(batch_op.f("ix_orders_invoice_due_at"))
        batch_op.create_unique_constraint(batch_op.f("uq_orders_lot_id"), ["lot_id"])
        batch_op.drop_column("invoice_paid_at")
        batch_op.drop_column("invoice_due_at")
        batch_op.drop_column("on_credit")
        batch_op.drop_column("shipment")

    with op.batch_alter_table("runner_up_offers", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_runner_up_offers_open_lot",
            sqlite_where=sa.text("status = 'offered'"),
            postgresql_where=sa.text("status = 'offered'"),
        )
        batch_op.drop_index(batch_op.f("ix_runner_up_offers_org_id"))
        batch_op.drop_index(batch_op.f("ix_runner_up_offers_lot_id"))

    op.drop_table("runner_up_offers")
    with op.batch_alter_table("order_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_payments_order_id"))

    op.drop_table("order_payments")
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_events_order_id"))

    op.drop_table("order_events")
    with op.batch_alter_table("order_deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_order_deadlines_open")

    op.drop_table("order_deadlines")
    op.drop_table("credit_lines")
