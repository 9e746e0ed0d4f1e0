"""ledger: accounts with running balances, journal entries and lines (append-only), two-phase holds

Journal entries and lines refuse UPDATE and DELETE (triggers on SQLite and PostgreSQL): a mistake is
corrected by a reversing entry.

Revision ID: 0011_ledger
Revises: 0010_bid_keys_per_org
Create Date: 2026-12-06 21:18:23.854725
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0011_ledger"
down_revision: str | Sequence[str] | None = "0010_bid_keys_per_org"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("purpose", sa.String(length=24), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("posted", sa.BigInteger(), nullable=False),
        sa.Column("pending_out", sa.BigInteger(), nullable=False),
        sa.Column("pending_in", sa.BigInteger(), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('external', 'credit_receivable') OR posted - pending_out >= 0",
            name=op.f("ck_ledger_accounts_available_not_negative"),
        ),
        sa.CheckConstraint(
            "pending_out >= 0 AND pending_in >= 0", name=op.f("ck_ledger_accounts_pending_not_negative")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_ledger_accounts_order_id_orders")),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=op.f("fk_ledger_accounts_org_id_orgs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_accounts")),
        sa.UniqueConstraint("code", name=op.f("uq_ledger_accounts_code")),
    )
    with op.batch_alter_table("ledger_accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_accounts_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_accounts_org_id"), ["org_id"], unique=False)

    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("hold_id", sa.Integer(), nullable=True),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("memo", sa.String(length=200), nullable=False),
        sa.Column("at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('post', 'hold', 'post_hold', 'void_hold', 'expire_hold')",
            name=op.f("ck_ledger_entries_kind_known"),
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_ledger_entries_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("key", name=op.f("uq_ledger_entries_key")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_entries_hold_id"), ["hold_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entries_order_id"), ["order_id"], unique=False)

    op.create_table(
        "ledger_holds",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("from_account_id", sa.Integer(), nullable=False),
        sa.Column("to_account_id", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("posted_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("expires_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("resolved_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'posted', 'voided', 'expired')", name=op.f("ck_ledger_holds_status_known")
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_ledger_holds_amount_positive")),
        sa.CheckConstraint(
            "posted_minor >= 0 AND posted_minor <= amount_minor", name=op.f("ck_ledger_holds_posted_within_amount")
        ),
        sa.ForeignKeyConstraint(
            ["from_account_id"], ["ledger_accounts.id"], name=op.f("fk_ledger_holds_from_account_id_ledger_accounts")
        ),
        sa.ForeignKeyConstraint(["id"], ["ledger_entries.id"], name=op.f("fk_ledger_holds_id_ledger_entries")),
        sa.ForeignKeyConstraint(
            ["to_account_id"], ["ledger_accounts.id"], name=op.f("fk_ledger_holds_to_account_id_ledger_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_holds")),
    )
    with op.batch_alter_table("ledger_holds", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_holds_due", ["status", "expires_at"], unique=False)

    op.create_table(
        "ledger_lines",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.SmallInteger(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_ledger_lines_amount_positive")),
        sa.CheckConstraint("direction IN (-1, 1)", name=op.f("ck_ledger_lines_direction_known")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["ledger_accounts.id"], name=op.f("fk_ledger_lines_account_id_ledger_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["ledger_entries.id"], name=op.f("fk_ledger_lines_entry_id_ledger_entries")
        ),
        sa.PrimaryKeyConstraint("entry_id", "currency", "account_id", name=op.f("pk_ledger_lines")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("ledger_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_lines_account",
            ["account_id", "currency", "entry_id", "direction", "amount_minor"],
            unique=False,
        )

    _append_only_triggers()


APPEND_ONLY = ("ledger_entries", "ledger_lines")


def _append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION '% is append-only: correct a mistake with a reversing entry', TG_TABLE_NAME; END $$"
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
            )
        return
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} BEGIN "
                f"SELECT RAISE(ABORT, '{table} is append-only: correct a mistake with a reversing entry'); END"
            )


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS ledger_append_only()")
        return
    for table in APPEND_ONLY:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")


def downgrade() -> None:
    _drop_append_only_triggers()
    with op.batch_alter_table("ledger_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_lines_account")

    op.drop_table("ledger_lines")
    with op.batch_alter_table("ledger_holds", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_holds_due")

    op.drop_table("ledger_holds")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entries_order_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entries_hold_id"))

    op.drop_table("ledger_entries")
    with op.batch_alter_table("ledger_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_accounts_org_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_accounts_order_id"))

    op.drop_table("ledger_accounts")
