"""The demo, one step per capability, in the order they must run (a later step uses what earlier ones made).

A new capability writes its `load_<things>(session, context)` in its own demo module and adds it here.
"""

from __future__ import annotations

from exchange.demo.accounts import load_accounts
from exchange.demo.alerts import load_alerts
from exchange.demo.auctions import load_bids
from exchange.demo.context import DemoStep
from exchange.demo.desk import load_desk
from exchange.demo.fees import load_fee_schedules
from exchange.demo.lots import load_lots
from exchange.demo.orders import load_orders
from exchange.demo.rfq import load_negotiations
from exchange.demo.verification import load_verification

__all__ = ["DEMO_STEPS"]

DEMO_STEPS: tuple[tuple[str, DemoStep], ...] = (
    ("organisations and users", load_accounts),
    ("verification answers", load_verification),  # after the organisations
    ("fee schedules", load_fee_schedules),  # before any order keeps its schedule
    ("catalogue lots", load_lots),  # after the organisations
    ("sealed bids", load_bids),  # on the catalogue's sealed-bid lots
    ("negotiations and wanted requests", load_negotiations),  # on the catalogue's lots
    ("saved searches and alerts", load_alerts),  # after the lots: their searches fire on a new lot
    ("brokers' desk", load_desk),  # a request of buyer3's, matched against the catalogue's flasks
    ("orders after the sale", load_orders),  # after the organisations; after any fee schedules
)
