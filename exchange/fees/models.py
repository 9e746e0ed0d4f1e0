"""Fee schedules (versioned per category) and seller payout batches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db.base import Base, utcnow

__all__ = ["FeeScheduleVersion", "PayoutBatch", "PayoutLine"]


class FeeScheduleVersion(Base):
    """One version of a category's fee schedule. Rows are never changed: a new version is a new row, in
    force from its `effective_from`; an order keeps the id of the version in force when it was created."""

    __tablename__ = "fee_schedules"
    __table_args__ = (
        UniqueConstraint("category", "version", name="uq_fee_schedules_category_version"),
        Index("ix_fee_schedules_in_force", "category", "effective_from"),
        CheckConstraint("fixed_fee_minor >= 0", name="fixed_fee_not_negative"),
        CheckConstraint("version > 0", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(64))
    """A category code of the catalogue, or `*` for the platform-wide default."""
    version: Mapped[int] = mapped_column(Integer)
    tiers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    """[{"up_to_minor": int | null, "percent": "2.5"}], bounds increasing, the last one null (marginal tiers)."""
    fixed_fee_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    broker_percent: Mapped[str] = mapped_column(String(16), default="0")
    """A decimal string, like the tiers' percentages (never a float)."""
    effective_from: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)


class PayoutBatch(Base):
    """A batch of payouts to sellers: what each was owed when it was made, paid out of the ledger at once."""

    __tablename__ = "payout_batches"
    __table_args__ = (CheckConstraint("total_minor >= 0", name="total_not_negative"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    """The idempotency key: the same key makes the batch once."""
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)


class PayoutLine(Base):
    __tablename__ = "payout_lines"
    __table_args__ = (
        UniqueConstraint("batch_id", "seller_org_id", name="uq_payout_lines_batch_seller"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payout_batches.id"), index=True)
    seller_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
