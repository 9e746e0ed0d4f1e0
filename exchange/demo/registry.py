"""Imports each capability's demo module so that its step joins DEMO_STEPS (order matters)."""

from __future__ import annotations

from exchange.demo import auctions  # noqa: F401  (sealed-bid and fixed-price demo sales; after the lots step)
