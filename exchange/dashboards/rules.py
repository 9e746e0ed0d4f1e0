"""Pure rules of the dashboards: what counts as "soon", which order states wait for whom, the month's start."""

from __future__ import annotations

from datetime import datetime, timedelta

__all__ = [
    "CLOSING_SOON",
    "ESCROW_STATES",
    "SHIPPABLE_ON_CREDIT",
    "SHOWN",
    "WAITING_FOR_BUYER",
    "WAITING_FOR_SELLER",
    "month_start",
]

CLOSING_SOON = timedelta(hours=24)
"""A live sealed-bid lot closing within this is listed as closing soon."""
SHOWN = 5
"""Items listed per task; the count says how many there are in all."""

WAITING_FOR_SELLER = {"paid": "to_ship"}
"""Order states in which the seller must act, by task."""
SHIPPABLE_ON_CREDIT = "awaiting_payment"
"""The unpaid state a seller may ship from when the buyer has credit terms (net 30 or 45)."""
WAITING_FOR_BUYER = {
    "awaiting_payment": "to_pay",
    "shipped": "to_receive",
    "delivered": "to_inspect",
    "inspecting": "to_inspect",
}
"""Order states in which the buyer must act, by task."""
ESCROW_STATES = ("paid", "shipped", "delivered", "inspecting", "disputed")
"""Orders whose money the exchange holds in escrow."""


def month_start(now: datetime) -> datetime:
    """The first instant of `now`'s calendar month (in `now`'s time zone; UTC inside)."""
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
