"""auctions: a bid's Idempotency-Key is unique per organisation, not per lot

The same key sent to another lot is then refused (422 `idempotency_key_reused`) instead of placing a
second bid. Keys an org already used on more than one lot keep their first use; the later bids keep
their rows and lose the key (a repeat of those requests is a new bid on that lot, as before).

Revision ID: 0010_bid_keys_per_org
Revises: 0009_mail_outbox
Create Date: 2026-12-06 18:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_bid_keys_per_org"
down_revision: str | Sequence[str] | None = "0009_mail_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HAS_KEY = sa.text("idempotency_key IS NOT NULL")


def upgrade() -> None:
    op.execute(
        "UPDATE bid_revisions SET idempotency_key = NULL WHERE idempotency_key IS NOT NULL AND id > ("
        "SELECT MIN(o.id) FROM bid_revisions AS o WHERE o.bidder_org_id = bid_revisions.bidder_org_id "
        "AND o.idempotency_key = bid_revisions.idempotency_key)"
    )
    _index("bidder_org_id", "idempotency_key")


def downgrade() -> None:
    _index("lot_id", "bidder_org_id", "idempotency_key")


def _index(*columns: str) -> None:
    with op.batch_alter_table("bid_revisions", schema=None) as batch_op:
        batch_op.drop_index("uq_bid_revisions_idempotency")
        batch_op.create_index(
            "uq_bid_revisions_idempotency", list(columns), unique=True, sqlite_where=HAS_KEY, postgresql_where=HAS_KEY
        )
