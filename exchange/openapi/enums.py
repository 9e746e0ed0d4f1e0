"""Closed sets of values as named enum schemas, taken from each domain's rules (never restated here)."""

from __future__ import annotations

from exchange.accounts.rules import ORG_KINDS
from exchange.lots.rules import GRADES, SALE_MODES, SOURCES, STATUSES
from exchange.orders.rules import STATES as ORDER_STATES
from exchange.orders.services import SOLD_STATUS
from exchange.rfq.rules import OFFER_STATUSES, PAYMENT_TERMS, THREAD_STATUSES

__all__ = ["ENUM_FIELDS", "ENUM_QUERY_PARAMETERS", "NAMED_ENUMS"]

NAMED_ENUMS: dict[str, tuple[str, ...]] = {
    "LotStatus": STATUSES,
    "Grade": GRADES,
    "LotSource": SOURCES,
    "SaleMode": SALE_MODES,
    "OrgKind": ORG_KINDS,
    "OrderStatus": ORDER_STATES,
    "OrderSource": tuple(SOLD_STATUS),
    "ThreadStatus": THREAD_STATUSES,
    "OfferStatus": OFFER_STATUSES,
    "PaymentTerms": PAYMENT_TERMS,
}
"""Component name -> values. An inline enum with exactly these values becomes a reference to it."""

ENUM_FIELDS: dict[tuple[str, str], str] = {
    ("Lot", "status"): "LotStatus",
    ("Lot", "grade"): "Grade",
    ("Lot", "source"): "LotSource",
    ("Sale", "mode"): "SaleMode",
    ("Org", "kind"): "OrgKind",
    ("Order", "status"): "OrderStatus",
    ("Order", "source"): "OrderSource",
    ("Thread", "status"): "ThreadStatus",
    ("ThreadSummary", "status"): "ThreadStatus",
    ("Offer", "status"): "OfferStatus",
}
"""(schema, property) answered as a plain string that only ever holds one of a closed set."""

ENUM_QUERY_PARAMETERS: dict[tuple[str, str], str] = {
    ("/api/lots", "grade"): "Grade",
    ("/api/lots", "mode"): "SaleMode",
    ("/api/lots", "status"): "LotStatus",
}
"""(path, query parameter) that takes values of a closed set."""
