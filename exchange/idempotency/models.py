"""The first successful answer to each call made with an Idempotency-Key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db.base import Base, utcnow

__all__ = ["IdempotentAnswer"]


class IdempotentAnswer(Base):
    """One org's key in one scope ("purchase", "rfq.accept"), the request it came with, and the answer."""

    __tablename__ = "idempotent_answers"

    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), primary_key=True)
    scope: Mapped[str] = mapped_column(String(120), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    """`fingerprint()` of what the request asked for: a repeat with another one is refused (422)."""
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
