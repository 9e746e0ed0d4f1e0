"""Imports each capability's demo module so that its step joins DEMO_STEPS (order matters)."""

from __future__ import annotations

from exchange.demo import rfq  # noqa: F401  (negotiations and wanted requests; makes its own lots if none)
