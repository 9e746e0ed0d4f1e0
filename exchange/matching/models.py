"""Brokers' desk tables: procurement requests, proposals and their lines."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db.base import Base, utcnow

__all__ = ["ProcurementRequest", "Proposal", "ProposalLine"]


class ProcurementRequest(Base):
    """What a client (a buyer org) wants, posted by its broker or by the buyer itself."""

    __tablename__ = "procurement_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    broker_org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"), index=True, default=None)
    """The broker who posted it for the client; None when the buyer posted it for itself."""
    purpose: Mapped[str] = mapped_column(String(16))
    quantity_value: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    quantity_unit: Mapped[str] = mapped_column(String(24))
    budget_min_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    budget_max_minor: Mapped[int] = mapped_column(BigInteger)
    """Per unit of quantity."""
    budget_total_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    currency: Mapped[str] = mapped_column(String(3))
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    certificates: Mapped[list[str]] = mapped_column(JSON, default=list)
    requirement_groups: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """As given: [{key: {gte?, lte?, eq?}}]."""
    min_shelf_life_days: Mapped[int | None] = mapped_column(Integer, default=None)
    deliver_by: Mapped[date] = mapped_column(Date)
    region: Mapped[str] = mapped_column(String(80))
    grades: Mapped[list[str]] = mapped_column(JSON, default=list)
    branding: Mapped[list[str]] = mapped_column(JSON, default=list)
    max_sellers: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Proposal(Base):
    """A broker's offer to a client: lots at the client's prices (the broker's cost and margin stay hidden)."""

    __tablename__ = "proposals"
    __table_args__ = (Index("ix_proposals_client_status", "client_org_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("procurement_requests.id"), index=True)
    broker_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    client_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    status: Mapped[str] = mapped_column(String(12), default="draft")  # rules.PROPOSAL_ACTIONS
    note: Mapped[str] = mapped_column(Text, default="")
    valid_until: Mapped[datetime] = mapped_column()
    currency: Mapped[str] = mapped_column(String(3))
    commission_percent: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)


class ProposalLine(Base):
    __tablename__ = "proposal_lines"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), primary_key=True, index=True)
    client_price_minor: Mapped[int] = mapped_column(BigInteger)
    """The whole lot's price to the client."""
    cost_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """The broker's cost when the proposal was made (fixed price or minimum bid); None: price on request."""
    kind: Mapped[str] = mapped_column(String(8))  # buy | bid | rfq (rules.price_kind)
    outcome: Mapped[str] = mapped_column(String(200), default="")
    """After acceptance: the order, bid or thread it became (or why a bid was refused)."""
