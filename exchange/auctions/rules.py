"""Pure rules of sealed bids: ranking, reserve, first- and second-price outcomes, deposits, and when a lot
with bids may leave sale. No I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from exchange.auctions.errors import LOT_HAS_BIDS
from exchange.errors import Conflict

__all__ = [
    "Award",
    "RankedBid",
    "decide_award",
    "deposit_amount",
    "rank_bids",
    "require_no_bids",
    "sells_only_at_close",
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


def _order_key(bid: RankedBid) -> tuple[int, int, int, int]:
    return (-bid.amount_minor, bid.rank_seq, bid.placed_at_us, bid.bidder_org_id)


def rank_bids(bids: Iterable[RankedBid]) -> list[RankedBid]:
    """Highest amount first; equal amounts in the order they were placed."""
    return sorted(bids, key=_order_key)


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
            f"Buyers have placed sealed bids on this lot, so it sells only at its close, to the best bid; "
            f"it cannot be {refused}.",
            code=LOT_HAS_BIDS,
            title="Lot has sealed bids",
        )
