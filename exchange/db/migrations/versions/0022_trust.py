"""trust: what an organisation tells about itself to be verified (know your business) and the admin's answer

Revision ID: 0022_trust
Revises: 0014_disputes
Create Date: 2026-12-07 00:45:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0022_trust"
down_revision: str | Sequence[str] | None = "0014_disputes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    # Plain ALTER TABLE (no batch copy of the table on SQLite: orgs is referenced by almost every table).
    for column in _columns():
        op.add_column("orgs", column)
    op.create_index(op.f("ix_orgs_uscc"), "orgs", ["uscc"], unique=False)


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
    op.drop_index(op.f("ix_orgs_uscc"), table_name="orgs")
    for column in reversed(_columns()):
        op.drop_column("orgs", column.name)
