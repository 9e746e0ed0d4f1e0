"""An order binds one lot to one buyer at an agreed amount."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db.base import Base, utcnow

__all__ = ["Order"]


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), unique=True)
    """Unique: a whole lot is sold once, whichever path sells it."""
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    seller_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(24), default="awaiting_payment")
    source: Mapped[str] = mapped_column(String(16))  # award | purchase | quote | proposal
    terms: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Negotiated terms: delivery_by, payment_terms, packaging, sample fee credited, ..."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
