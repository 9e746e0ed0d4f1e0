"""RFQ tables: threads, immutable versioned offers, messages with attachments, samples, wanted requests."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db.base import Base, partial_unique_index, utcnow

__all__ = ["RfqAttachment", "RfqMessage", "RfqOffer", "RfqThread", "SampleOrder", "WantedRequest"]


class WantedRequest(Base):
    """A buyer's "wanted" post: what they need; sellers answer with their lots and a quote."""

    __tablename__ = "wanted_requests"
    __table_args__ = (Index("ix_wanted_requests_status_deadline", "status", "deadline"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(80))
    spec_constraints: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """As given: [{key, op: eq|gte|lte, value, unit?}]."""
    quantity_value: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    quantity_unit: Mapped[str] = mapped_column(String(24))
    budget_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """The most the buyer means to pay for the whole quantity."""
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    deadline: Mapped[date] = mapped_column(Date)
    """Delivery needed by; the request stops taking answers after it."""
    delivery_region: Mapped[str] = mapped_column(String(120), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | fulfilled | cancelled
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RfqThread(Base):
    """One negotiation between one buyer org and one seller org about one lot."""

    __tablename__ = "rfq_threads"
    __table_args__ = (
        Index("ix_rfq_threads_buyer_status", "buyer_org_id", "status"),
        Index("ix_rfq_threads_seller_status", "seller_org_id", "status"),
        Index("ix_rfq_threads_lot_status", "lot_id", "status"),
        # One open thread per buyer org per lot, whichever way it was opened.
        partial_unique_index("uq_rfq_threads_open_per_buyer", "lot_id", "buyer_org_id", where="status = 'open'"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    seller_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    wanted_request_id: Mapped[int | None] = mapped_column(ForeignKey("wanted_requests.id"), index=True, default=None)
    opened_by: Mapped[str] = mapped_column(String(8))  # buyer | seller
    status: Mapped[str] = mapped_column(String(16), default="open")
    revision: Mapped[int] = mapped_column(Integer, default=0)
    """Bumped by every move; a move made on a stale revision is refused (two moves never interleave)."""
    delivery_region: Mapped[str] = mapped_column(String(120), default="")
    closed_reason: Mapped[str] = mapped_column(Text, default="")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RfqOffer(Base):
    """One offer; its terms never change once written. Only its status moves on."""

    __tablename__ = "rfq_offers"
    __table_args__ = (
        UniqueConstraint("thread_id", "version"),
        Index("ix_rfq_offers_status_valid_until", "status", "valid_until"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("rfq_threads.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    """1 for the opening offer, then 2, 3, ... in the thread."""
    by_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    by_side: Mapped[str] = mapped_column(String(8))  # buyer | seller
    price_minor: Mapped[int] = mapped_column(BigInteger)
    """For the whole lot, in minor units of `currency`."""
    currency: Mapped[str] = mapped_column(String(3))
    valid_until: Mapped[datetime] = mapped_column()
    delivery_by: Mapped[date | None] = mapped_column(Date, default=None)
    payment_terms: Mapped[str | None] = mapped_column(String(8), default=None)  # prepay | net30 | net45
    packaging: Mapped[str] = mapped_column(Text, default="")
    """Packaging and relabelling, e.g. remove the brand logo, gift boxes."""
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_changed_at: Mapped[datetime | None] = mapped_column(default=None)


class RfqMessage(Base):
    """A message in a thread; only the two parties (and admins, for disputes) can read it."""

    __tablename__ = "rfq_messages"
    __table_args__ = (Index("ix_rfq_messages_thread_created", "thread_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("rfq_threads.id", ondelete="CASCADE"))
    author_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    author_side: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RfqAttachment(Base):
    """A file stored under the data directory, or a link (an inspection video, a shared document)."""

    __tablename__ = "rfq_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("rfq_messages.id", ondelete="CASCADE"), index=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("rfq_threads.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # photo | document | video | link
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(1000), default=None)
    storage_key: Mapped[str | None] = mapped_column(String(200), default=None)
    content_type: Mapped[str | None] = mapped_column(String(100), default=None)
    size_bytes: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SampleOrder(Base):
    """A few units sent ahead at a sample price: requested -> priced -> ordered -> shipped (or declined)."""

    __tablename__ = "rfq_samples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("rfq_threads.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    seller_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    units: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    fee_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default="requested")
    note: Mapped[str] = mapped_column(Text, default="")
    credited_order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
