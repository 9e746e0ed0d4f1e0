"""Use cases of the bid engine, shared by the JSON API and the pages."""

from __future__ import annotations

from exchange.auctions.services._bids import list_my_bids, my_bid, place_bid, receipt_out, withdraw_bid
from exchange.auctions.services._deposits import is_watching, my_deposit, place_deposit, set_watch
from exchange.auctions.services._purchases import purchase
from exchange.auctions.services._report import opening_report, sealed_until_close
from exchange.auctions.services._views import SaleView, sale_view

__all__ = [
    "SaleView",
    "is_watching",
    "list_my_bids",
    "my_bid",
    "my_deposit",
    "opening_report",
    "place_bid",
    "place_deposit",
    "purchase",
    "receipt_out",
    "sale_view",
    "sealed_until_close",
    "set_watch",
    "withdraw_bid",
]
