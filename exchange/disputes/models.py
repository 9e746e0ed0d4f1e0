"""Inspection records of delivered orders, the evidence of an order, disputes and their messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db.base import Base, utcnow

__all__ = ["Dispute", "DisputeMessage", "Evidence", "Inspection"]


class Inspection(Base):
    """The buyer's sample inspection of a delivered order, with the refund it suggests (kept as computed)."""

    __tablename__ = "inspections"
    __table_args__ = (
        CheckConstraint("units_defective >= 0 AND units_defective <= units_inspected", name="defective_in_sample"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    sampling: Mapped[str] = mapped_column(String(8))  # flat | iso2859
    lot_size: Mapped[int] = mapped_column(BigInteger)
    sample_size: Mapped[int] = mapped_column(BigInteger)
    """What the sampling rule asks for; `units_inspected` may be more (or fewer: then the record says so)."""
    units_inspected: Mapped[int] = mapped_column(BigInteger)
    units_defective: Mapped[int] = mapped_column(BigInteger)
    defects_by_kind: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    observed_grade: Mapped[str | None] = mapped_column(String(1), default=None)
    photo_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    suggested_refund_minor: Mapped[int] = mapped_column(BigInteger)
    refund_lines: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """[[label, amount_minor], ...]: the formula line by line; the amounts add up to the suggestion."""
    created_at: Mapped[datetime]


class Evidence(Base):
    """A photo or document one side of an order uploaded (inspection photos, dispute evidence)."""

    __tablename__ = "order_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"), default=None)
    """The uploading side's org; None for an admin."""
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Dispute(Base):
    """A buyer's objection to a delivered order: the seller's answer, the escalation, the admin's decision."""

    __tablename__ = "disputes"
    __table_args__ = (
        CheckConstraint("claimed_refund_minor >= 0", name="claim_not_negative"),
        CheckConstraint("refund_minor IS NULL OR refund_minor >= 0", name="refund_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    """One dispute per order: a disputed order only leaves that state resolved."""
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    seller_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    reason: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    claimed_refund_minor: Mapped[int] = mapped_column(BigInteger)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"), default=None)
    suggested_refund_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    evidence_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    answer: Mapped[str | None] = mapped_column(String(8), default=None)  # accept | offer | reject
    offer_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    answer_message: Mapped[str] = mapped_column(Text, default="")
    answer_due_at: Mapped[datetime]
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    escalated_at: Mapped[datetime | None] = mapped_column(default=None)
    escalated_by: Mapped[str | None] = mapped_column(String(40), default=None)
    decide_by: Mapped[datetime | None] = mapped_column(default=None)
    decision_window_s: Mapped[int] = mapped_column(Integer)
    """The admins' decision window in force when the dispute was opened (set from settings), in seconds."""
    outcome: Mapped[str | None] = mapped_column(String(16), default=None)
    """refund | partial_refund | release (the admin's), claim_accepted (seller), offer_accepted (buyer)."""
    refund_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    resolved_by: Mapped[str | None] = mapped_column(String(40), default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime]


class DisputeMessage(Base):
    """One message of a dispute's thread (the claim, answers and decision are messages too)."""

    __tablename__ = "dispute_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(40))
    """"org:3", "admin:1", "clock"."""
    side: Mapped[str] = mapped_column(String(8))  # buyer | seller | admin | clock
    body: Mapped[str] = mapped_column(Text)
    words: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    """A message the exchange wrote (an outcome, an offer, an escalation) as a `Msg`, for pages in the reader's
    language; `body` keeps its English text for the API. None for what people wrote."""
    evidence_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
