"""Finance exports for admins: a period's orders with their fees, and its payouts, as CSV."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.errors import Unprocessable
from exchange.fees import documents, services
from exchange.fees.errors import BAD_PERIOD
from exchange.fees.models import PayoutBatch, PayoutLine
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.lots.models import Lot
from exchange.money import format_minor
from exchange.orders.models import Order
from exchange.settings import Settings

__all__ = ["Period", "orders_csv", "parse_period", "payouts_csv"]

MAX_PERIOD_DAYS = 366
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
ORDER_COLUMNS = [
    "order_id",
    "created_at",
    "status",
    "source",
    "lot_id",
    "category",
    "buyer_org_id",
    "seller_org_id",
    "currency",
    "gross",
    "platform_fee",
    "broker_commission",
    "refund",
    "seller_net",
    "fee_schedule_id",
    "fee_schedule_version",
    "final",
]


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date
    """Inclusive: the period covers whole days from `start` to `end`."""

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(), tzinfo=UTC)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time(), tzinfo=UTC)

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()}_{self.end.isoformat()}"


def _day(raw: str | None, field: str) -> date | None:
    if raw is None or not raw.strip():
        return None
    try:
        if not _DATE.fullmatch(raw.strip()):
            raise ValueError(raw)
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise Unprocessable(
            Msg("{field} must be a date like 2026-12-01.", field=field), field=field, code=BAD_PERIOD
        ) from None


def parse_period(start: str | None, end: str | None, *, today: date) -> Period:
    """`start`/`end` dates (inclusive); by default the current month up to today. At most a year."""
    first = _day(start, "start") or today.replace(day=1)
    last = _day(end, "end") or today
    if last < first:
        raise Unprocessable(N_("The period must not end before it starts."), field="end", code=BAD_PERIOD)
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise Unprocessable(
            Msg("A period covers at most {days} days.", days=MAX_PERIOD_DAYS), field="end", code=BAD_PERIOD
        )
    return Period(first, last)


async def orders_csv(session: AsyncSession, period: Period, *, settings: Settings | None = None) -> str:
    """Every order made in the period with its fees: final figures (from the ledger) for settled orders,
    what settlement would pay for the others (`final` says which)."""
    rows = await session.execute(
        select(Order, Lot.category)
        .join(Lot, Lot.id == Order.lot_id)
        .where(Order.created_at >= period.since, Order.created_at < period.until)
        .order_by(Order.created_at, Order.id)
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ORDER_COLUMNS)
    for order, category in rows.all():
        schedule = await services.order_schedule(session, order, settings=settings)
        figures = await documents.figures_for(session, order, schedule)

        def money(minor: int, currency: str = order.currency) -> str:
            return format_minor(minor, currency) or ""

        writer.writerow(
            [
                order.id,
                order.created_at.isoformat(),
                order.status,
                order.source,
                order.lot_id,
                category,
                order.buyer_org_id,
                order.seller_org_id,
                order.currency,
                money(figures.gross),
                money(figures.platform_fee),
                money(figures.broker_commission),
                money(figures.refund),
                money(figures.seller_net),
                schedule.id or "",
                schedule.version if schedule.id else "",
                "yes" if figures.final else "no",
            ]
        )
    return out.getvalue()


async def payouts_csv(session: AsyncSession, period: Period) -> str:
    """Every payout line of the batches made in the period: one row per seller per batch."""
    rows = await session.execute(
        select(PayoutBatch, PayoutLine)
        .join(PayoutLine, PayoutLine.batch_id == PayoutBatch.id)
        .where(PayoutBatch.created_at >= period.since, PayoutBatch.created_at < period.until)
        .order_by(PayoutBatch.created_at, PayoutBatch.id, PayoutLine.seller_org_id)
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["batch_id", "created_at", "seller_org_id", "currency", "amount"])
    for batch, line in rows.all():
        writer.writerow(
            [
                batch.id,
                batch.created_at.isoformat(),
                line.seller_org_id,
                batch.currency,
                format_minor(line.amount_minor, batch.currency),
            ]
        )
    return out.getvalue()
