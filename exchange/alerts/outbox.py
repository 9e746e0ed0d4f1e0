"""`queue_went_live`: what the catalogue calls, in its own transaction, whenever a lot goes live (published,
approved from review, relisted), gets cheaper, or is shown to more invited buyers. It queues the lot for
the alert fan-out and schedules the lot's slow-sale check; nothing is sent before that transaction commits."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.alerts.models import LotWentLiveRow, SlowSaleCheck
from exchange.alerts.rules import DEFAULT_SLOW_SALE_SHARE, slow_sale_due

__all__ = ["REASONS", "queue_went_live"]

REASONS = ("published", "approved", "relisted", "price_cut", "invited")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def queue_went_live(
    session: AsyncSession,
    lot_id: int,
    reason: str,
    *,
    now: datetime | None = None,
    published_at: datetime | None = None,
    ends_at: datetime | None = None,
    share: float = DEFAULT_SLOW_SALE_SHARE,
) -> None:
    """Queue `lot_id` for the saved-search fan-out; with its window, (re)schedule its slow-sale check
    (a check that already fired stays fired: the advice is given once per lot)."""
    assert reason in REASONS
    session.add(LotWentLiveRow(lot_id=lot_id, reason=reason, **({"queued_at": now} if now else {})))
    if published_at is None or ends_at is None:
        return
    due = slow_sale_due(_aware(published_at), _aware(ends_at), share)
    check = await session.scalar(select(SlowSaleCheck).where(SlowSaleCheck.lot_id == lot_id))
    if check is None:
        session.add(SlowSaleCheck(lot_id=lot_id, due_at=due))
    elif check.fired_at is None:
        check.due_at = due
    await session.flush()
