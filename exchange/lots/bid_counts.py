"""Bid counts shown on lots. The bid engine provides the real count; until then every lot shows 0.

The engine registers its counter once at import time:

    from exchange.lots.bid_counts import provide_bid_counts

    @provide_bid_counts
    async def count_bids(session, lot_ids): ...  # -> {lot_id: count}
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["BidCounter", "bid_count_for", "provide_bid_counts"]

BidCounter = Callable[[AsyncSession, Sequence[int]], Awaitable[Mapping[int, int]]]
_counter: list[BidCounter] = []


def provide_bid_counts(counter: BidCounter) -> BidCounter:
    """Make `counter(session, lot_ids) -> {lot_id: count}` the source of bid counts (the last one wins)."""
    _counter[:] = [counter]
    return counter


async def bid_count_for(session: AsyncSession, lot_ids: Sequence[int]) -> dict[int, int]:
    """Current bid count per lot; zeros while no bid engine has provided a counter."""
    if not lot_ids:
        return {}
    if not _counter:
        return dict.fromkeys(lot_ids, 0)
    counts = await _counter[0](session, lot_ids)
    return {lot_id: int(counts.get(lot_id, 0)) for lot_id in lot_ids}
