"""The ledger API's answers: balances and amounts as decimal strings in the account's currency."""

from __future__ import annotations

from datetime import datetime

import msgspec

__all__ = ["Account", "AccountEntry", "AccountPage", "EntryPage"]


class Account(msgspec.Struct):
    id: int
    purpose: str
    """external, deposits_held, escrow, seller_payable, platform_revenue, broker_commission, refunds_payable
    or credit_receivable."""
    currency: str
    org_id: int | None
    order_id: int | None
    posted: str
    """Received less sent ("-12.50" for a credit receivable: what the buyer owes)."""
    pending_out: str
    """Held away from this account by pending holds."""
    pending_in: str
    """Held for this account by pending holds."""
    available: str
    """Posted less pending out."""


class AccountPage(msgspec.Struct):
    items: list[Account]
    total: int
    next: str | None
    """The URL of the next page, or null on the last page."""


class AccountEntry(msgspec.Struct):
    """One entry as it touched the account: what came in or went out."""

    entry_id: int
    kind: str
    """post, post_hold (a hold posted), ..."""
    direction: str
    """in or out"""
    amount: str
    at: datetime
    memo: str
    order_id: int | None
    hold_id: int | None


class EntryPage(msgspec.Struct):
    items: list[AccountEntry]
    """Newest first."""
    total: int
    next: str | None
    """The URL of the next page, or null on the last page."""
