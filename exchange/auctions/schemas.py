"""msgspec Structs of the bid engine's API."""

from __future__ import annotations

from datetime import datetime

import msgspec

from exchange.paging import Page

__all__ = [
    "BidIn",
    "BidReceipt",
    "Bidder",
    "Deposit",
    "MyBid",
    "OpeningReport",
    "ReportBid",
    "ReportTie",
    "Watch",
    "Winner",
]


class BidIn(msgspec.Struct, forbid_unknown_fields=True):
    amount: str
    """The whole lot's price you offer, as a decimal string ("40000.00")."""
    currency: str = "CNY"


class BidReceipt(msgspec.Struct):
    """An accepted bid. Keep it: `receipt` is a commitment to this bid, checked against the opening report."""

    lot_id: int
    amount: str
    currency: str
    placed_at: datetime
    revision: int
    receipt: str
    nonce: str
    """Secret: with it you (and only you) can show that `receipt` commits to this amount and time."""
    bidder_org_id: int


class MyBid(msgspec.Struct):
    lot_id: int
    amount: str
    currency: str
    placed_at: datetime
    revision: int
    receipt: str
    nonce: str
    bidder_org_id: int
    outcome: str
    """active (lot still open), won, lost, or closed (the lot ended without an award)."""
    lot_title: str | None = None
    lot_status: str | None = None
    closes_at: datetime | None = None


class Bidder(msgspec.Struct):
    org_id: int
    name: str


class ReportBid(msgspec.Struct):
    rank: int
    amount: str
    placed_at: datetime
    receipt: str
    revision: int
    mine: bool = False
    bidder: Bidder | None = None
    """Shown to the seller for every bid, and to each bidder for their own."""


class Winner(msgspec.Struct):
    rank: int
    amount: str
    """The winning bid."""
    price: str
    """What the winner pays: the bid, or under second-price rules the runner-up's bid or the reserve."""
    receipt: str
    order_id: int | None = None
    bidder: Bidder | None = None


class ReportTie(msgspec.Struct):
    """Bids of equal amount: how the tie was broken (`rule`) and the ranks it gave them."""

    amount: str
    ranks: list[int]
    """In the order the amounts were placed: the first of them ranks highest."""
    rule: str = "earlier_bid_first"
    same_second: bool = False
    """Placed within the same second: compare their `placed_at` to the microsecond."""


class OpeningReport(msgspec.Struct):
    lot_id: int
    status: str
    """awarded or unsold."""
    currency: str
    pricing: str
    """first_price or second_price."""
    closed_at: datetime
    bid_count: int
    winner: Winner | None
    bids: list[ReportBid]
    ties: list[ReportTie] = []
    """Equal amounts and how they were ranked (none when every amount differs)."""


class Deposit(msgspec.Struct):
    lot_id: int
    amount: str
    currency: str
    status: str
    """held, applied (to the winner's order) or released."""
    created_at: datetime


class Watch(msgspec.Struct):
    lot_id: int
    watching: bool


class MyBidPage(Page[MyBid]):
    items: list[MyBid]
