"""dispute words: the exchange's own lines in a dispute thread kept as messages, shown in the reader's language

Revision ID: 0032_dispute_words
Revises: 0031_terms_by_category
Create Date: 2026-12-07 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032_dispute_words"
down_revision: str | Sequence[str] | None = "0031_terms_by_category"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dispute_messages") as batch:
        batch.add_column(sa.Column("words", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dispute_messages") as batch:
        batch.drop_column("words")
