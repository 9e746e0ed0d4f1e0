"""idempotency: one table of first answers (idempotent_answers) for purchases and offer acceptance

Replaces `idempotency_keys` (purchases, scoped "purchase:<lot id>") and `rfq_idempotency_keys`
(accepting an offer, scoped by route). Kept answers move over: a purchase key is now scoped "purchase"
with the lot in its request fingerprint, so the same key sent to buy another lot is refused.

Revision ID: 0008_idempotent_answers
Revises: 0007_auctions_lighter
Create Date: 2026-11-23 02:20:00
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0008_idempotent_answers"
down_revision: str | Sequence[str] | None = "0007_auctions_lighter"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PURCHASE_PREFIX = "purchase:"


def _fingerprint(*parts: object) -> str:
    """`exchange.idempotency.fingerprint` as of this revision (a migration must not change with the app)."""
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()


def _create_answers() -> None:
    op.create_table(
        "idempotent_answers",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=120), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=op.f("fk_idempotent_answers_org_id_orgs")),
        sa.PrimaryKeyConstraint("org_id", "scope", "key", name=op.f("pk_idempotent_answers")),
    )


def upgrade() -> None:
    _create_answers()
    # A purchase key was scoped by lot; the first one of an org's repeats of a key is kept.
    op.execute(
        "INSERT INTO idempotent_answers (org_id, scope, key, request_hash, status_code, body, created_at) "
        "SELECT org_id, 'purchase', key, scope, status_code, response, created_at FROM idempotency_keys AS k "
        "WHERE k.id = (SELECT MIN(id) FROM idempotency_keys AS o WHERE o.org_id = k.org_id AND o.key = k.key)"
    )
    connection = op.get_bind()
    moved = connection.execute(
        sa.text("SELECT org_id, key, request_hash FROM idempotent_answers WHERE scope = 'purchase'")
    ).all()
    for org_id, key, old_scope in moved:  # the request_hash column holds "purchase:<lot id>" until here
        connection.execute(
            sa.text(
                "UPDATE idempotent_answers SET request_hash = :hash "
                "WHERE org_id = :org_id AND scope = 'purchase' AND key = :key"
            ),
            {"hash": _fingerprint(int(old_scope[len(PURCHASE_PREFIX) :])), "org_id": org_id, "key": key},
        )
    op.execute(
        "INSERT INTO idempotent_answers (org_id, scope, key, request_hash, status_code, body, created_at) "
        "SELECT org_id, route, key, request_hash, status_code, body, created_at FROM rfq_idempotency_keys"
    )
    op.drop_table("idempotency_keys")
    op.drop_table("rfq_idempotency_keys")


def downgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=op.f("fk_idempotency_keys_org_id_orgs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("org_id", "scope", "key", name="uq_idempotency_keys_org_scope_key"),
    )
    op.create_table(
        "rfq_idempotency_keys",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("route", sa.String(length=120), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["orgs.id"], name=op.f("fk_rfq_idempotency_keys_org_id_orgs")),
        sa.PrimaryKeyConstraint("org_id", "key", "route", name=op.f("pk_rfq_idempotency_keys")),
    )
    op.execute(
        "INSERT INTO rfq_idempotency_keys (org_id, key, route, request_hash, status_code, body, created_at) "
        "SELECT org_id, key, scope, request_hash, status_code, body, created_at FROM idempotent_answers "
        "WHERE scope <> 'purchase'"
    )
    op.execute(
        "INSERT INTO idempotency_keys (org_id, scope, key, status_code, response, created_at) "
        "SELECT org_id, 'purchase:', key, status_code, body, created_at FROM idempotent_answers "
        "WHERE scope = 'purchase'"
    )
    connection = op.get_bind()
    for row_id, response in connection.execute(sa.text("SELECT id, response FROM idempotency_keys")).all():
        answer = json.loads(response) if isinstance(response, str) else response
        connection.execute(
            sa.text("UPDATE idempotency_keys SET scope = :scope WHERE id = :id"),
            {"scope": f"{PURCHASE_PREFIX}{answer['lot_id']}", "id": row_id},
        )
    op.drop_table("idempotent_answers")
