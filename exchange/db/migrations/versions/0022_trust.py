"""trust: verification details of organisations (know your business), password resets, photo previews

Revision ID: 0022_trust
Revises: 0021_languages
Create Date: 2026-12-07 00:45:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0022_trust"
down_revision: str | Sequence[str] | None = "0021_languages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    # Plain ALTER TABLE (no batch copy of the table on SQLite: orgs is referenced by almost every table).
    for column in _columns():
        op.add_column("orgs", column)
    op.create_index(op.f("ix_orgs_uscc"), "orgs", ["uscc"], unique=False)
    op.create_table(
        "password_resets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("used_at", _WHEN, nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_password_resets_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_resets")),
        sa.UniqueConstraint("digest", name=op.f("uq_password_resets_digest")),
    )
    op.add_column("lot_documents", sa.Column("thumb_key", sa.String(length=200), nullable=True))
    op.create_index(op.f("ix_password_resets_user_id"), "password_resets", ["user_id"], unique=False)


def _columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("legal_name", sa.String(length=200), nullable=True),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("contact", sa.String(length=200), nullable=True),
        sa.Column("licence_key", sa.String(length=200), nullable=True),
        sa.Column("licence_filename", sa.String(length=200), nullable=True),
        sa.Column("licence_content_type", sa.String(length=64), nullable=True),
        sa.Column("details_submitted_at", _WHEN, nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("rejected_at", _WHEN, nullable=True),
    ]


def downgrade() -> None:
    op.drop_column("lot_documents", "thumb_key")
    op.drop_index(op.f("ix_password_resets_user_id"), table_name="password_resets")
    op.drop_table("password_resets")
    op.drop_index(op.f("ix_orgs_uscc"), table_name="orgs")
    for column in reversed(_columns()):
        op.drop_column("orgs", column.name)
