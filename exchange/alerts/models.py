"""Saved searches and their alerts, the went-live outbox, buyers' alert settings, and sellers' price advice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db.base import Base, utcnow

__all__ = ["AlertSettings", "LotPriceChange", "LotWentLiveRow", "SavedSearch", "SavedSearchAlert", "SlowSaleCheck"]


class SavedSearch(Base):
    """A buyer's catalogue search kept with its alert frequency.

    `query` is the /lots query string as the buyer saved it; `criteria` is that query parsed by the catalogue's
    own parser (spec ranges in SI base units), which the in-memory alert index is built from.
    """

    __tablename__ = "saved_searches"
    # AUTOINCREMENT on SQLite: an id is never given again after its search is deleted (the alert index of
    # every worker loads searches by increasing id and forgets deleted ids).
    __table_args__ = (Index("ix_saved_searches_org_id", "org_id", "id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(120))
    query: Mapped[str] = mapped_column(String(2000))
    frequency: Mapped[str] = mapped_column(String(8))  # instant | daily
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SavedSearchAlert(Base):
    """One lot found for one saved search: at most one per (search, lot), however often the lot goes live."""

    __tablename__ = "saved_search_alerts"
    __table_args__ = (
        UniqueConstraint("search_id", "lot_id", name="uq_saved_search_alerts_search_lot"),
        Index("ix_saved_search_alerts_org_digest", "org_id", "frequency", "digested_at"),
        Index("ix_saved_search_alerts_lot_id", "lot_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("saved_searches.id", ondelete="CASCADE"))
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    frequency: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    digested_at: Mapped[datetime | None] = mapped_column(default=None)
    """When a daily search's alert went out in a digest (instant alerts are told at once and left NULL)."""


class LotWentLiveRow(Base):
    """Outbox: a lot went live (published, approved, relisted) or got cheaper, written in that transaction;
    the alert fan-out claims each row once (conditional UPDATE of `processed_at`)."""

    __tablename__ = "lot_went_live"
    __table_args__ = (Index("ix_lot_went_live_processed_id", "processed_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(16))  # published | approved | relisted | price_cut | invited
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(default=None)


class AlertSettings(Base):
    """A buyer org's alert settings (a missing row is the defaults)."""

    __tablename__ = "alert_settings"

    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), primary_key=True)
    suggestions_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_digest_at: Mapped[datetime | None] = mapped_column(default=None)


class SlowSaleCheck(Base):
    """When a live lot is due a slow-sale check (a share of its listing window), and the advice given once."""

    __tablename__ = "slow_sale_checks"
    __table_args__ = (Index("ix_slow_sale_checks_due", "fired_at", "due_at"),)

    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"), primary_key=True)
    due_at: Mapped[datetime] = mapped_column()
    fired_at: Mapped[datetime | None] = mapped_column(default=None)
    advice: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    """The advice as shown to the seller: suggested price with its basis, and the other options."""


class LotPriceChange(Base):
    """The lot's price history: each price cut a seller applied."""

    __tablename__ = "lot_price_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(16))  # price | min_bid
    old_minor: Mapped[int | None] = mapped_column(BigInteger)
    new_minor: Mapped[int] = mapped_column(BigInteger)
    by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
