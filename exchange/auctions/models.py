"""Tables of the bid engine: bids (current and every revision), deposits, watches, closes.

SQL is the system of record. Redis holds a working copy of each open lot that the Lua scripts
validate against; it is rebuilt from these tables whenever it is missing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db.base import Base, partial_unique_index, utcnow

__all__ = ["Bid", "BidDeposit", "BidRevision", "CloseOutbox", "EngineIdentity", "LotClose", "LotWatch"]


class Bid(Base):
    """The current bid of one buyer org on one lot (its latest revision); `amount_minor` None = withdrawn."""

    __tablename__ = "bids"
    __table_args__ = (Index("ix_bids_lot_amount", "lot_id", "amount_minor"),)

    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"), primary_key=True)
    bidder_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), primary_key=True, index=True)
    revision: Mapped[int] = mapped_column(Integer)
    amount_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    currency: Mapped[str] = mapped_column(String(3))
    placed_at_us: Mapped[int] = mapped_column(BigInteger)
    """Redis server time of acceptance in microseconds since the epoch (UTC): the exact value in the receipt."""
    rank_seq: Mapped[int] = mapped_column(BigInteger)
    """Engine sequence number at which the current amount was first placed: earlier wins a tie."""
    receipt: Mapped[str] = mapped_column(String(80))
    nonce: Mapped[str] = mapped_column(String(64))
    """The secret nonce of the receipt; shown to the bidding org only."""
    placed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)


class BidRevision(Base):
    """Every accepted bid action, append-only; (lot, bidder, revision) makes the write idempotent."""

    __tablename__ = "bid_revisions"
    # Every index here is written by every bid (on SQLite, one more page per bid in the journal's
    # commit), so only what a lookup needs: the revision key (its lot prefix serves the loader), and
    # Idempotency-Keys where there is one. Orgs are never deleted, so no index on the bidder alone.
    # A key is the org's across lots: the journal's INSERT skips a row whose key another lot took, which
    # is how a key sent again to another lot is refused (422) without a lookup on the hot path.
    __table_args__ = (
        UniqueConstraint("lot_id", "bidder_org_id", "revision", name="uq_bid_revisions_lot_bidder_revision"),
        partial_unique_index(
            "uq_bid_revisions_idempotency",
            "bidder_org_id",
            "idempotency_key",
            where="idempotency_key IS NOT NULL",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"))
    bidder_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    revision: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))  # bid | withdraw
    amount_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    currency: Mapped[str] = mapped_column(String(3))
    placed_at_us: Mapped[int] = mapped_column(BigInteger)
    """Redis server time of acceptance, microseconds since the epoch (UTC)."""
    seq: Mapped[int] = mapped_column(BigInteger)
    rank_seq: Mapped[int] = mapped_column(BigInteger)
    receipt: Mapped[str] = mapped_column(String(80))
    nonce: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(200), default=None)
    placed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)


class BidDeposit(Base):
    """A buyer's bid deposit on a lot that requires one: held, then applied (winner) or released."""

    __tablename__ = "bid_deposits"
    __table_args__ = (UniqueConstraint("lot_id", "org_id", name="uq_bid_deposits_lot_org"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(10), default="held")  # held | applied | released
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(default=None)


class LotWatch(Base):
    """An organisation watching a lot: it gets a closing-soon reminder."""

    __tablename__ = "lot_watches"

    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(default=None)


class LotClose(Base):
    """How a sealed-bid lot closed; written in the award transaction, so at most one per lot."""

    __tablename__ = "lot_closes"

    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(10))  # awarded | unsold
    closed_at: Mapped[datetime] = mapped_column(default=utcnow)
    bid_count: Mapped[int] = mapped_column(Integer, default=0)
    winner_org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"), default=None)
    winning_bid_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    price_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """What the winner pays: their bid, or under second-price rules the runner-up's bid or the reserve."""
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), default=None)
    notified_at: Mapped[datetime | None] = mapped_column(default=None)
    """Unused since the close outbox (`CloseOutbox`) carries the close's notifications."""


class CloseOutbox(Base):
    """What a close must tell, written in the award's transaction: one row per recipient (each bidder's
    won/lost notification, the seller's, and the lot's `closed` live event). Any process delivers a row,
    exactly once (`close_outbox.deliver_closes`); `delivered_at` is set in the transaction that delivers it."""

    __tablename__ = "close_outbox"
    __table_args__ = (
        UniqueConstraint("lot_id", "recipient", name="uq_close_outbox_recipient"),
        Index("ix_close_outbox_undelivered", "delivered_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(40))
    """"org:<id>" for a notification to that organisation, "lot" for the lot's live `closed` event."""
    org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"), default=None)
    kind: Mapped[str] = mapped_column(String(40))  # bid_won | bid_lost | lot_closed | closed
    outcome: Mapped[str] = mapped_column(String(10))  # awarded | unsold
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)


class EngineIdentity(Base):
    """One row naming this database's key space in Redis (`sx:<space>:lot:{42}`...).

    A Redis that still holds lots of another database (a reset database with an old append-only
    file, two test databases on one server) then never mixes their lots, whose ids overlap.
    """

    __tablename__ = "bid_engine_identity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    space: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    owner: Mapped[str | None] = mapped_column(String(300), default=None)
    """The bid engine that keeps the lots (`auctions/ownership.py`): "shared" (REDIS_URL, every host the
    same) or "embedded:<host>:<data dir>" (one host's embedded Redis); None until a process starts."""
