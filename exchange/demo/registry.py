"""Imports each capability's demo module so that its step joins DEMO_STEPS (order matters)."""

from __future__ import annotations

from exchange.demo import (
    lots,  # noqa: F401  (catalogue lots, after the organisations)
    rfq,  # noqa: F401  (negotiations and wanted requests, on the catalogue's lots)
)
