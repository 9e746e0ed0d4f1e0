"""Time and other sales end negotiations: offers lapse at valid-until; threads on sold lots close.

Reads already treat a lapsed offer as expired and a thread on a gone lot as closed, so these sweeps only
make that durable and tell the parties; correctness never waits for them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.i18n.messages import Msg
from exchange.lots.models import Lot
from exchange.rfq.models import RfqOffer, RfqThread
from exchange.rfq.services._effects import publish_after_commit
from exchange.rfq.services._notices import notify_thread
from exchange.rfq.services._threads import end_open_offers
from exchange.runtime import Runtime, clock_of

__all__ = ["close_threads_on_unavailable_lots", "expire_due_offers"]


async def expire_due_offers(
    session: AsyncSession, now: datetime | None = None, *, runtime: Runtime | None = None
) -> int:
    """Mark every open offer past its valid-until as expired and notify both parties; returns how many.

    Each offer changes once (a conditional UPDATE), so several schedulers running it notify once.
    """
    now = now or clock_of(runtime).now()
    rows = (
        await session.execute(
            update(RfqOffer)
            .where(RfqOffer.status == "open", RfqOffer.valid_until <= now)
            .values(status="expired", status_changed_at=now)
            .returning(RfqOffer.thread_id, RfqOffer.by_side)
            .execution_options(synchronize_session=False)
        )
    ).all()
    if not rows:
        return 0
    threads = {
        t.id: (t, title)
        for t, title in (
            await session.execute(
                select(RfqThread, Lot.title)
                .join(Lot, Lot.id == RfqThread.lot_id)
                .where(RfqThread.id.in_({thread_id for thread_id, _ in rows}))
            )
        ).all()
    }
    for thread_id, by_side in rows:
        thread, lot_title = threads[thread_id]
        maker = thread.buyer_org_id if by_side == "buyer" else thread.seller_org_id
        other = thread.seller_org_id if by_side == "buyer" else thread.buyer_org_id
        await notify_thread(
            session,
            maker,
            thread_id,
            kind="rfq_expired",
            title=Msg("Your offer on {title} expired", title=lot_title),
            body=Msg("It passed its valid-until time unanswered. Make a fresh offer to go on."),
            runtime=runtime,
        )
        await notify_thread(
            session,
            other,
            thread_id,
            kind="rfq_expired",
            title=Msg("An offer on {title} expired", title=lot_title),
            body=Msg("It passed its valid-until time; either side may make a fresh offer."),
            runtime=runtime,
        )
        publish_after_commit(session, runtime, thread_id, "offer")
    return len(rows)


async def close_threads_on_unavailable_lots(
    session: AsyncSession, now: datetime | None = None, *, runtime: Runtime | None = None
) -> int:
    """Close open threads whose lot was sold, awarded or ended by another path; the buyer is told."""
    now = now or clock_of(runtime).now()
    stale = (
        await session.execute(
            select(RfqThread.id, RfqThread.buyer_org_id, Lot.title)
            .join(Lot, Lot.id == RfqThread.lot_id)
            .where(RfqThread.status == "open", Lot.status != "live")
        )
    ).all()
    closed = 0
    for thread_id, buyer_org_id, lot_title in stale:
        result = await session.execute(
            update(RfqThread)
            .where(RfqThread.id == thread_id, RfqThread.status == "open")
            .values(
                status="closed",
                closed_reason="The lot is no longer available.",
                revision=RfqThread.revision + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            continue
        closed += 1
        await end_open_offers(session, [thread_id], "closed", now)
        await notify_thread(
            session,
            buyer_org_id,
            thread_id,
            kind="rfq_closed",
            title=Msg("{title} is no longer available", title=lot_title),
            body=Msg("The lot was sold or its listing ended, so this negotiation is closed."),
            runtime=runtime,
        )
        publish_after_commit(session, runtime, thread_id, "status")
    return closed
