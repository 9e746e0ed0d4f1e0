"""The audit log (append-only: the database refuses UPDATE and DELETE) and its signed checkpoints."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db.base import Base, utcnow

__all__ = ["AuditCheckpoint", "AuditRecord"]


class AuditRecord(Base):
    """One record; `exchange.audit.canonical` defines the bytes that are hashed from these columns."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    """1, 2, 3, ... without gaps (`services.record` takes the next under a lock)."""
    at: Mapped[str] = mapped_column(String(32))
    """Canonical UTC time, `2026-12-06T21:58:00.000000Z` (sorts as text)."""
    actor: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(48))
    before: Mapped[str | None] = mapped_column(Text, default=None)
    """Canonical JSON text of the state before, or NULL."""
    after: Mapped[str | None] = mapped_column(Text, default=None)
    hash: Mapped[str] = mapped_column(String(64))
    """Hex SHA-256(previous record's hash ‖ this record's canonical JSON)."""


class AuditCheckpoint(Base):
    """An Ed25519 signature over `{"head_hash": ..., "size": ...}` (canonical JSON): the log had `size`
    records and its last one had `head_hash`. The key lives outside the database (AUDIT_KEY_PATH)."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, unique=True)
    head_hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))
    """Hex Ed25519 signature."""
    key_id: Mapped[str] = mapped_column(String(64))
    """Hex SHA-256 of the raw public key that signed (which key, when keys are rotated)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
