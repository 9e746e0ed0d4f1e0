"""What a ledger account is for: one purpose per account, and who it belongs to (the platform, an org, an order).

An account is identified by purpose + currency + owner; `services.account_for` gets or creates it.
"""

from __future__ import annotations

__all__ = [
    "BROKER_COMMISSION",
    "CREDIT_RECEIVABLE",
    "DEPOSITS_HELD",
    "ESCROW",
    "EXTERNAL",
    "MAY_GO_NEGATIVE",
    "ORDER_PURPOSES",
    "ORG_PURPOSES",
    "PLATFORM_PURPOSES",
    "PLATFORM_REVENUE",
    "PURPOSES",
    "REFUNDS_PAYABLE",
    "SELLER_PAYABLE",
]

EXTERNAL = "external"
"""The world (bank, payment provider, payouts), platform-level, per currency: goes negative by what came in."""
DEPOSITS_HELD = "deposits_held"
"""Per buyer org: bid deposits held."""
ESCROW = "escrow"
"""Per order: the buyer's money held until inspection; ends at zero when the order is finished."""
SELLER_PAYABLE = "seller_payable"
"""Per seller org: owed to the seller, paid out in payout batches."""
PLATFORM_REVENUE = "platform_revenue"
"""Platform-level: fees."""
BROKER_COMMISSION = "broker_commission"
"""Per broker org: commission payable."""
REFUNDS_PAYABLE = "refunds_payable"
"""Per buyer org: refunds owed to the buyer."""
CREDIT_RECEIVABLE = "credit_receivable"
"""Per buyer org on credit terms: goes negative by what the buyer owes."""

PLATFORM_PURPOSES = frozenset({EXTERNAL, PLATFORM_REVENUE})
"""Owned by the platform: no org, no order."""
ORDER_PURPOSES = frozenset({ESCROW})
"""One per order."""
ORG_PURPOSES = frozenset({DEPOSITS_HELD, SELLER_PAYABLE, BROKER_COMMISSION, REFUNDS_PAYABLE, CREDIT_RECEIVABLE})
"""One per organisation."""
PURPOSES = PLATFORM_PURPOSES | ORDER_PURPOSES | ORG_PURPOSES
MAY_GO_NEGATIVE = frozenset({EXTERNAL, CREDIT_RECEIVABLE})
"""Every other account's available balance (posted minus pending out) never goes below zero."""
