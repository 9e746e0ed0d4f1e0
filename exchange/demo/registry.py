"""Each capability's demo module, in the order their steps must run (each appends to DEMO_STEPS on import).

Kept as a list of names rather than import statements so that import sorting cannot reorder them.
"""

from __future__ import annotations

import importlib

__all__ = ["CAPABILITY_DEMOS", "import_capability_demos"]

CAPABILITY_DEMOS = (
    "exchange.demo.lots",  # catalogue lots, after the organisations
    "exchange.demo.auctions",  # sealed bids on the catalogue's sealed-bid lots
    "exchange.demo.rfq",  # negotiations and wanted requests, on the catalogue's lots
)


def import_capability_demos() -> None:
    for module in CAPABILITY_DEMOS:
        importlib.import_module(module)
