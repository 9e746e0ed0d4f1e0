"""What a dashboard holds: tasks with their items (each linking to its page) and figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["Dashboard", "Figure", "Item", "Task"]


@dataclass(frozen=True, slots=True)
class Item:
    """One thing to act on: what it is and the page where it is done."""

    title: str
    href: str
    amount: str | None = None
    currency: str | None = None
    at: datetime | None = None
    """A time that matters (closes at, due by)."""


@dataclass(frozen=True, slots=True)
class Task:
    kind: str
    """rfq_to_answer, drafts, closing_soon, to_ship, disputes_to_answer, slow_sale_advice, proposals_to_answer,
    runner_up_offers, to_pay, to_receive, to_inspect, dispute_offers, bids_closing_soon, requests_without_proposals,
    proposals_awaiting_client, lots_in_review, orgs_to_verify, disputes_escalated."""
    count: int
    href: str
    """The page listing all of them."""
    items: list[Item]


@dataclass(frozen=True, slots=True)
class Figure:
    kind: str
    """in_escrow, sold_this_month, bought_this_month, open_bids, live_lots, commission, orders_this_month."""
    count: int | None = None
    amounts: list[tuple[str, str]] = field(default_factory=list)
    """(decimal amount, currency), one per currency."""


@dataclass(frozen=True, slots=True)
class Dashboard:
    role: str
    tasks: list[Task]
    """Only tasks with something to do, in the order the role meets them."""
    figures: list[Figure]
