"""An order binds one lot to one buyer at an agreed amount; its timeline, deadlines, payments and credit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db.base import Base, partial_unique_index, utcnow

__all__ = ["CreditLine", "Order", "OrderDeadline", "OrderEvent", "Payment", "RunnerUpOffer"]


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (partial_unique_index("uq_orders_live_lot", "lot_id", where="status != 'cancelled'"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    """One live order per lot (a partial unique index): a lot is sold once; a cancelled order frees it."""
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    seller_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(24), default="awaiting_payment")
    source: Mapped[str] = mapped_column(String(16))  # award | purchase | quote | proposal | runner_up
    terms: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Negotiated terms: delivery_by, payment_terms, packaging, sample fee credited, ..."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    shipment: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """carrier, tracking_number, packages, weight, photo_ids, shipped_at; delivery proof once marked delivered."""
    on_credit: Mapped[bool] = mapped_column(Boolean, default=False)
    """Shipped on the buyer's credit terms before payment: an invoice falls due at `invoice_due_at`."""
    invoice_due_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    invoice_paid_at: Mapped[datetime | None] = mapped_column(default=None)
    fee_schedule_id: Mapped[int | None] = mapped_column(Integer, default=None)
    """The fee schedule version in force when the order was made (None: the platform default); it keeps it."""


class OrderEvent(Base):
    """One line of an order's timeline: the state it entered (or an action that kept it), when, by whom."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime]
    by: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OrderDeadline(Base):
    """A deadline of an order, fired exactly once by the deadline job (or closed when it no longer applies)."""

    __tablename__ = "order_deadlines"
    __table_args__ = (
        UniqueConstraint("order_id", "name", name="uq_order_deadlines_order_name"),
        Index("ix_order_deadlines_open", "fired_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime]
    remind_at: Mapped[datetime | None] = mapped_column(default=None)
    reminded_at: Mapped[datetime | None] = mapped_column(default=None)
    fired_at: Mapped[datetime | None] = mapped_column(default=None)
    """Set once, by whoever fires it (or closes it: `closed` then says so)."""
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    """Ended without its handler running (the order moved on before the deadline)."""


class Payment(Base):
    """A payment started with a provider for an order (or for its credit invoice); confirmed once."""

    __tablename__ = "order_payments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # order | invoice
    provider: Mapped[str] = mapped_column(String(24))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | confirmed | superseded
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None] = mapped_column(default=None)


class CreditLine(Base):
    """Credit terms an admin granted a buyer org: a limit, net days, and the exposure used now."""

    __tablename__ = "credit_lines"

    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), primary_key=True)
    limit_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    net_days: Mapped[int] = mapped_column(Integer)
    exposure_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    """Unpaid invoices of goods shipped on credit; raised only by a conditional UPDATE that keeps it <= limit."""
    granted_at: Mapped[datetime]
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)


class RunnerUpOffer(Base):
    """After a sealed-bid winner did not pay: the lot offered to the next bidder at that bidder's own final bid."""

    __tablename__ = "runner_up_offers"
    __table_args__ = (
        UniqueConstraint("lot_id", "org_id", name="uq_runner_up_offers_lot_org"),
        partial_unique_index("uq_runner_up_offers_open_lot", "lot_id", where="status = 'offered'"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    after_order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(12), default="offered")  # offered | accepted | declined | lapsed
    due_at: Mapped[datetime]
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), default=None)
