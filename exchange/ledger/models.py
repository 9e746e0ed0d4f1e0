"""The ledger's tables: accounts (with running balances), entries (one per money-moving call), lines
(append-only, one per account touched by a posted movement) and two-phase holds.

The database enforces what it can: positive line amounts, a direction of +1 or -1, non-negative balances
for the accounts that may not go negative, one entry per key, and (triggers made by the migration)
journal entries and lines that refuse UPDATE and DELETE.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db.base import Base, utcnow

__all__ = ["ENTRY_KINDS", "HOLD_STATUSES", "LedgerAccount", "LedgerEntry", "LedgerHold", "LedgerLine"]

ENTRY_KINDS = ("post", "hold", "post_hold", "void_hold", "expire_hold")
HOLD_STATUSES = ("pending", "posted", "voided", "expired")


class LedgerAccount(Base):
    __tablename__ = "ledger_accounts"
    __table_args__ = (
        CheckConstraint("pending_out >= 0 AND pending_in >= 0", name="pending_not_negative"),
        CheckConstraint(
            "purpose IN ('external', 'credit_receivable') OR posted - pending_out >= 0", name="available_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    """purpose, currency and owner in one string ("escrow:CNY:order=12"): what makes an account unique."""
    purpose: Mapped[str] = mapped_column(String(24))
    currency: Mapped[str] = mapped_column(String(3))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"), index=True, default=None)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True, default=None)
    posted: Mapped[int] = mapped_column(BigInteger, default=0)
    """Received less sent, over posted lines (kept in step with the lines; `verify` replays them)."""
    pending_out: Mapped[int] = mapped_column(BigInteger, default=0)
    """Held away from this account by pending holds."""
    pending_in: Mapped[int] = mapped_column(BigInteger, default=0)
    """Held for this account by pending holds."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerEntry(Base):
    """One money-moving call: its key makes it idempotent. Posted money is in its lines."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("kind IN ('post', 'hold', 'post_hold', 'void_hold', 'expire_hold')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    fingerprint: Mapped[str] = mapped_column(String(64))
    """What was asked (kind, movements, hold, amount, order): a repeat of the key must ask the same."""
    hold_id: Mapped[int | None] = mapped_column(Integer, index=True, default=None)
    """The hold this entry placed (its own id) or acted on."""
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True, default=None)
    memo: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerLine(Base):
    """One account's side of a posted movement: received (+1) or sent (-1) a positive amount.

    One line per account and entry (the entry's movements are netted per account). The key is (entry,
    currency, account): on SQLite the table is clustered on it (WITHOUT ROWID), and the account index holds
    every column, so `verify`'s two passes (per entry and currency; per account) each read one b-tree in
    order, with no sort."""

    __tablename__ = "ledger_lines"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("direction IN (-1, 1)", name="direction_known"),
        Index("ix_ledger_lines_account", "account_id", "currency", "entry_id", "direction", "amount_minor"),
        {"sqlite_with_rowid": False},
    )

    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    """The account's currency (so an entry's balance per currency needs no join)."""
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), primary_key=True)
    direction: Mapped[int] = mapped_column(SmallInteger)
    amount_minor: Mapped[int] = mapped_column(BigInteger)


class LedgerHold(Base):
    """A two-phase movement: pending until posted (all or part; the rest returns), voided or expired.

    Its id is the id of the entry that placed it."""

    __tablename__ = "ledger_holds"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("posted_minor >= 0 AND posted_minor <= amount_minor", name="posted_within_amount"),
        CheckConstraint("status IN ('pending', 'posted', 'voided', 'expired')", name="status_known"),
        Index("ix_ledger_holds_due", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), primary_key=True, autoincrement=False)
    from_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    to_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    posted_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(8), default="pending")
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
