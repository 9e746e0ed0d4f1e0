"""Pure rules of sealed bids: ranking, reserve, first- and second-price outcomes, deposits, and when a lot
with bids may leave sale. No I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from exchange.auctions.errors import LOT_HAS_BIDS
from exchange.errors import Conflict
from exchange.i18n.messages import Msg

__all__ = [
    "RANKING",
    "Award",
    "RankedBid",
    "Tie",
    "decide_award",
    "deposit_amount",
    "rank_bids",
    "ranking_order_by",
    "require_no_bids",
    "sells_only_at_close",
    "ties_in",
]


@dataclass(frozen=True, slots=True)
class RankedBid:
    bidder_org_id: int
    amount_minor: int
    rank_seq: int
    """Engine sequence number at which this amount was placed: the earlier wins a tie."""
    placed_at_us: int = 0


@dataclass(frozen=True, slots=True)
class Award:
    winner: RankedBid | None
    price_minor: int | None
    """What the winner pays (None when unsold)."""
    reason: str


RANKING: tuple[tuple[str, bool], ...] = (
    ("amount_minor", True),
    ("rank_seq", False),
    ("placed_at_us", False),
    ("bidder_org_id", False),
)
"""The sealed-bid ranking, defined once: (RankedBid field, highest first?), most significant first.

Highest amount first; equal amounts in the order they were placed (`rank_seq`, which place_bid.lua keeps
when a bidder re-states the same amount); the rest only make the order total. `rank_bids` sorts by it
and `ranking_order_by` gives the same order to SQL (the close's ORDER BY ... LIMIT 2); the Lua scripts
only record `rank_seq`, and tests/integration/auctions/test_ranking_paths.py holds every path to one table.
"""


def _order_key(bid: RankedBid) -> tuple[int, ...]:
    return tuple(-getattr(bid, name) if descending else getattr(bid, name) for name, descending in RANKING)


def rank_bids(bids: Iterable[RankedBid]) -> list[RankedBid]:
    """Highest amount first; equal amounts in the order they were placed (RANKING)."""
    return sorted(bids, key=_order_key)


@dataclass(frozen=True, slots=True)
class Tie:
    """Equal amounts in a ranking: the ranks they hold, the earliest placed first (RANKING)."""

    amount_minor: int
    ranks: tuple[int, ...]
    same_second: bool
    """Two of them were placed within the same second: a report must show their times finer than seconds."""


def ties_in(ranked: Sequence[RankedBid]) -> list[Tie]:
    """The ties of a ranking as `rank_bids` returns it (rank = position + 1), highest amount first.

    How a tie was broken is the ranking itself: equal amounts rank in the order they were placed, so the
    earlier bid takes the higher rank (and wins a tie for first place).
    """
    ties = []
    start = 0
    while start < len(ranked):
        end = start
        while end + 1 < len(ranked) and ranked[end + 1].amount_minor == ranked[start].amount_minor:
            end += 1
        if end > start:
            seconds = [bid.placed_at_us // 1_000_000 for bid in ranked[start : end + 1]]
            ties.append(
                Tie(
                    amount_minor=ranked[start].amount_minor,
                    ranks=tuple(range(start + 1, end + 2)),
                    same_second=len(set(seconds)) < len(seconds),
                )
            )
        start = end + 1
    return ties


def ranking_order_by(columns: Any) -> list[Any]:
    """RANKING as SQLAlchemy ORDER BY clauses over `columns` (a mapped class with RankedBid's field names)."""
    return [getattr(columns, name).desc() if descending else getattr(columns, name) for name, descending in RANKING]


def decide_award(
    bids: Sequence[RankedBid],
    *,
    reserve_minor: int | None,
    second_price: bool = False,
    min_bid_minor: int | None = None,
) -> Award:
    """The highest bid at or above the reserve wins; a tie goes to the earlier bid.

    First price: the winner pays their bid. Second price: the winner pays the runner-up's bid, but never
    less than the reserve or the lot's minimum bid; with neither a runner-up nor a floor, their own bid.
    """
    ranked = rank_bids(bids)
    if not ranked:
        return Award(None, None, "no bids")
    best = ranked[0]
    if reserve_minor is not None and best.amount_minor < reserve_minor:
        return Award(None, None, "reserve not met")
    if not second_price:
        return Award(best, best.amount_minor, "highest bid")
    floors = [value for value in (reserve_minor, min_bid_minor) if value is not None]
    if len(ranked) > 1:
        floors.append(ranked[1].amount_minor)
    price = max(floors) if floors else best.amount_minor
    return Award(best, min(price, best.amount_minor), "second price")


def deposit_amount(
    *,
    percent: int,
    reference_price_minor: int | None,
    quantity_value: Decimal | None,
    min_bid_minor: int | None,
) -> int:
    """The bid deposit: `percent` of the lot's reference value (unit price times quantity), rounded up.

    Without a reference price, the share is taken of the minimum bid; with neither, no money is held.
    """
    if reference_price_minor is not None and quantity_value is not None:
        base = Decimal(reference_price_minor) * Decimal(quantity_value)
    elif min_bid_minor is not None:
        base = Decimal(min_bid_minor)
    else:
        return 0
    return int((base * percent / 100).to_integral_value(rounding=ROUND_CEILING))


def sells_only_at_close(sale_mode: str, bid_count: int) -> bool:
    """Once a sealed-bid lot has a (current) bid, it leaves sale only at its close, awarded or unsold.

    Its bidders committed money against that close: a quote may not sell the lot under them, nor may
    the seller withdraw it. Before the first bid (or after every bid was withdrawn) other paths may.
    """
    return sale_mode == "sealed_bid" and bid_count > 0


def require_no_bids(sale_mode: str, bid_count: int, *, refused: str) -> None:
    """409 `lot_has_bids` when `sells_only_at_close`; `refused` says what cannot happen ("sold by quote")."""
    if sells_only_at_close(sale_mode, bid_count):
        raise Conflict(
            Msg(
                "Buyers have placed sealed bids on this lot, so it sells only at its close, to the best bid; "
                "it cannot be {refused}.",
                refused=Msg(refused),
            ),
            code=LOT_HAS_BIDS,
            title="Lot has sealed bids",
        )
