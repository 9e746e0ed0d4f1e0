"""Bid engine: sealed bids and fixed-price purchases on Redis, with SQL as the system of record.

`bid_counts(app_state, lot_ids)` gives the public bid count per lot for listings.
"""

from __future__ import annotations

from exchange.auctions.counts import bid_counts

__all__ = ["bid_counts"]
