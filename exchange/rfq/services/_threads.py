"""Starting a thread and moving it on: shared by RFQs on lots and answers to wanted requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.auctions.leaving import require_no_bids
from exchange.db.base import utcnow
from exchange.errors import Conflict
from exchange.i18n.catalog import N_
from exchange.lots.errors import LOT_UNAVAILABLE
from exchange.lots.models import Lot
from exchange.rfq import rules
from exchange.rfq.errors import RFQ_DISABLED, RFQ_EXISTS, THREAD_CHANGED
from exchange.rfq.models import RfqOffer, RfqThread
from exchange.rfq.services._effects import publish_after_commit
from exchange.rfq.services._notices import notify_thread
from exchange.rfq.services._terms import OfferTerms
from exchange.runtime import Runtime

__all__ = [
    "NEGOTIATED",
    "add_offer",
    "advance_thread",
    "end_open_offers",
    "end_threads",
    "require_rfq_open_lot",
    "start_thread",
]

NEGOTIATED = N_("offered or sold by quote")
"""What a sealed-bid lot with bids refuses (`auctions.rules.require_no_bids`): no quote, counter or request."""


async def require_rfq_open_lot(session: AsyncSession, lot: Lot) -> None:
    """A lot takes RFQs while it is live, its seller has not turned RFQ off, and (sealed bid) nobody has bid."""
    if lot.status != "live":
        raise Conflict(
            N_("This lot is no longer available: it has been sold, awarded, closed or withdrawn."),
            code=LOT_UNAVAILABLE,
            title="Lot no longer available",
        )
    if not lot.rfq_enabled:
        raise Conflict(N_("The seller does not take RFQs on this lot."), code=RFQ_DISABLED, title="RFQ turned off")
    await require_no_bids(session, lot, refused=NEGOTIATED)


async def _open_thread_id(session: AsyncSession, lot_id: int, buyer_org_id: int) -> int | None:
    return await session.scalar(
        select(RfqThread.id).where(
            RfqThread.lot_id == lot_id, RfqThread.buyer_org_id == buyer_org_id, RfqThread.status == "open"
        )
    )


def _already_open(thread_id: int | None) -> Conflict:
    where = f" (thread {thread_id})" if thread_id else ""
    return Conflict(
        f"There is already an open RFQ between this buyer and this lot{where}; continue it instead.",
        code=RFQ_EXISTS,
        title="RFQ already open",
    )


async def start_thread(
    session: AsyncSession,
    lot: Lot,
    *,
    buyer_org_id: int,
    opened_by: rules.Side,
    by_user_id: int | None,
    terms: OfferTerms,
    delivery_region: str = "",
    wanted_request_id: int | None = None,
) -> tuple[RfqThread, RfqOffer]:
    """A new open thread with its first offer; 409 when this buyer already has an open thread on the lot."""
    existing = await _open_thread_id(session, lot.id, buyer_org_id)
    if existing is not None:
        raise _already_open(existing)
    thread = RfqThread(
        lot_id=lot.id,
        buyer_org_id=buyer_org_id,
        seller_org_id=lot.seller_org_id,
        wanted_request_id=wanted_request_id,
        opened_by=opened_by,
        status="open",
        revision=0,
        delivery_region=delivery_region.strip(),
    )
    session.add(thread)
    try:
        await session.flush()
    except IntegrityError:
        # The partial unique index settled two openings racing past the check above; this request
        # ends here and its transaction is rolled back.
        raise _already_open(None) from None
    by_org_id = buyer_org_id if opened_by == "buyer" else lot.seller_org_id
    offer = await add_offer(
        session, thread, version=1, side=opened_by, by_org_id=by_org_id, by_user_id=by_user_id, terms=terms
    )
    return thread, offer


async def add_offer(
    session: AsyncSession,
    thread: RfqThread,
    *,
    version: int,
    side: rules.Side,
    by_org_id: int,
    by_user_id: int | None,
    terms: OfferTerms,
) -> RfqOffer:
    offer = RfqOffer(
        thread_id=thread.id,
        version=version,
        by_org_id=by_org_id,
        by_user_id=by_user_id,
        by_side=side,
        price_minor=terms.price_minor,
        currency=terms.currency,
        valid_until=terms.valid_until,
        delivery_by=terms.delivery_by,
        payment_terms=terms.payment_terms,
        packaging=terms.packaging,
        message=terms.message,
        status="open",
    )
    session.add(offer)
    await session.flush()
    return offer


async def advance_thread(session: AsyncSession, thread: RfqThread, **values: Any) -> None:
    """Apply a move to an open thread only if nobody else moved since we read it (optimistic revision)."""
    result = await session.execute(
        update(RfqThread)
        .where(RfqThread.id == thread.id, RfqThread.revision == thread.revision, RfqThread.status == "open")
        .values(revision=RfqThread.revision + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise Conflict(
            N_("The other side moved in this negotiation at the same moment; reload it and try again."),
            code=THREAD_CHANGED,
            title="Negotiation changed",
        )
    await session.refresh(thread)


async def end_open_offers(session: AsyncSession, thread_ids: list[int], status: str, now: datetime) -> None:
    """Offers still standing in threads that just ended take the thread's ending (closed / declined)."""
    if not thread_ids:
        return
    await session.execute(
        update(RfqOffer)
        .where(RfqOffer.thread_id.in_(thread_ids), RfqOffer.status == "open")
        .values(status=status, status_changed_at=now)
        .execution_options(synchronize_session=False)
    )


async def end_threads(
    session: AsyncSession,
    query: Any,
    *,
    status: str,
    reason: str,
    notify_side: rules.Side,
    title: str,
    runtime: Runtime | None,
    now: datetime,
) -> None:
    """End every open thread `query` selects (each only if still open), telling one side why."""
    ended = list(await session.scalars(query))
    for other in ended:
        result = await session.execute(
            update(RfqThread)
            .where(RfqThread.id == other.id, RfqThread.status == "open")
            .values(status=status, closed_reason=reason, revision=RfqThread.revision + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            continue
        await end_open_offers(session, [other.id], "closed" if status == "closed" else "declined", now)
        org_id = other.buyer_org_id if notify_side == "buyer" else other.seller_org_id
        await notify_thread(session, org_id, other.id, kind=f"rfq_{status}", title=title, body=reason, runtime=runtime)
        publish_after_commit(session, runtime, other.id, "status")
