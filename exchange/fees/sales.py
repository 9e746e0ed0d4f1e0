"""A seller's sales figures for the dashboard: sell-through, price achieved against the reference price by
category and grade, and days to sell. Read-only; the charts are drawn by the pages."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.lots.models import Lot
from exchange.orders.models import Order
from exchange.specs.catalog import get_catalog

__all__ = ["DAY_BUCKETS", "PriceRatio", "SalesFigures", "SellThrough", "days_bucket", "sales_figures"]

SOLD = ("awarded", "sold")
OFFERED = ("live", "awarded", "sold", "unsold", "expired", "withdrawn")
"""Lots that were offered for sale (went live), sold or not."""
DAY_BUCKETS: tuple[tuple[str, float], ...] = (
    ("< 1 day", 1),
    ("1-3 days", 3),
    ("3-7 days", 7),
    ("7-14 days", 14),
    ("14-30 days", 30),
    ("30+ days", float("inf")),
)


@dataclass(frozen=True, slots=True)
class SellThrough:
    label: str
    offered: int
    sold: int

    @property
    def percent(self) -> float:
        return 100.0 * self.sold / self.offered if self.offered else 0.0


@dataclass(frozen=True, slots=True)
class PriceRatio:
    label: str
    """Category and grade, like "Textiles > Fabric · B"."""
    lots: int
    percent: float
    """Average price achieved for the whole lot as a percentage of its reference value (the reference price per
    unit times the quantity)."""


@dataclass
class SalesFigures:
    sell_through: list[SellThrough] = field(default_factory=list)
    overall: SellThrough = field(default_factory=lambda: SellThrough("All lots", 0, 0))
    price_ratios: list[PriceRatio] = field(default_factory=list)
    days_to_sell: list[tuple[str, int]] = field(default_factory=list)
    median_days: float | None = None


def days_bucket(days: float) -> str:
    for label, upper in DAY_BUCKETS:
        if days < upper:
            return label
    return DAY_BUCKETS[-1][0]


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


async def sales_figures(session: AsyncSession, seller_org_id: int) -> SalesFigures:
    rows = (
        await session.execute(
            select(
                Lot.category,
                Lot.grade,
                Lot.status,
                Lot.published_at,
                Lot.reference_price_minor,
                Lot.quantity_value,
                Lot.winning_amount_minor,
                Order.amount_minor,
                Order.created_at,
            )
            .outerjoin(Order, Order.lot_id == Lot.id)
            .where(Lot.seller_org_id == seller_org_id, Lot.status.in_(OFFERED))
        )
    ).all()
    catalog = get_catalog()
    offered: dict[str, int] = defaultdict(int)
    sold: dict[str, int] = defaultdict(int)
    ratios: dict[str, list[float]] = defaultdict(list)
    days: list[float] = []
    for category, grade, status, published_at, reference, quantity, winning, amount, ordered_at in rows:
        label = catalog.label_of(category)
        offered[label] += 1
        if status not in SOLD:
            continue
        sold[label] += 1
        achieved = amount or winning
        listed = float(reference * quantity) if reference and quantity else 0.0  # the reference is per unit
        if achieved and listed > 0:
            ratios[f"{label} · {grade}"].append(100.0 * achieved / listed)
        if isinstance(published_at, datetime) and isinstance(ordered_at, datetime):
            days.append(max(0.0, (ordered_at - published_at).total_seconds() / 86400))
    figures = SalesFigures()
    figures.sell_through = [SellThrough(label, offered[label], sold[label]) for label in sorted(offered)]
    figures.overall = SellThrough("All lots", sum(offered.values()), sum(sold.values()))
    figures.price_ratios = [
        PriceRatio(label, len(values), sum(values) / len(values)) for label, values in sorted(ratios.items())
    ]
    counts = {label: 0 for label, _ in DAY_BUCKETS}
    for value in days:
        counts[days_bucket(value)] += 1
    figures.days_to_sell = list(counts.items())
    figures.median_days = _median(days)
    return figures
