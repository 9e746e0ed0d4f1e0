"""Reading threads: the caller's inbox and one thread."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.db.base import utcnow
from exchange.lots.models import Lot
from exchange.rfq import rules, schemas
from exchange.rfq.models import RfqOffer, RfqThread
from exchange.rfq.services._access import load_thread
from exchange.rfq.services._views import offer_out, org_names, thread_out

__all__ = ["get_thread_for", "list_threads_for"]

InboxFilter = Literal["open", "ended", "all"]


def _mine(principal: Principal) -> Any:
    if principal.is_admin:
        return True
    return or_(RfqThread.buyer_org_id == principal.org_id, RfqThread.seller_org_id == principal.org_id)


async def list_threads_for(
    session: AsyncSession,
    principal: Principal,
    *,
    which: InboxFilter = "all",
    lot_id: int | None = None,
    limit: int = 200,
    now: datetime | None = None,
) -> list[schemas.ThreadSummary]:
    """The caller's threads (as buyer or seller), most recently moved first, each with its latest offer."""
    now = now or utcnow()
    if principal.org_id is None and not principal.is_admin:
        return []
    query = select(RfqThread, Lot.title, Lot.status).join(Lot, Lot.id == RfqThread.lot_id).where(_mine(principal))
    if lot_id is not None:
        query = query.where(RfqThread.lot_id == lot_id)
    rows = (await session.execute(query.order_by(RfqThread.updated_at.desc(), RfqThread.id.desc()).limit(limit))).all()
    ids = [thread.id for thread, _, _ in rows]
    latest: dict[int, list[RfqOffer]] = {}
    if ids:
        for offer in await session.scalars(
            select(RfqOffer).where(RfqOffer.thread_id.in_(ids)).order_by(RfqOffer.thread_id, RfqOffer.version)
        ):
            latest.setdefault(offer.thread_id, []).append(offer)
    names = await org_names(session, {o for t, _, _ in rows for o in (t.buyer_org_id, t.seller_org_id)})
    summaries: list[schemas.ThreadSummary] = []
    for thread, title, lot_status in rows:
        offers = latest.get(thread.id, [])
        state = rules.ThreadState(
            status=thread.status,
            lot_available=lot_status == "live",
            offers=tuple(rules.OfferState(o.id, cast(rules.Side, o.by_side), o.status, o.valid_until) for o in offers),
        )
        status = rules.effective_thread_status(state)
        if (which == "open" and status != "open") or (which == "ended" and status == "open"):
            continue
        summaries.append(
            schemas.ThreadSummary(
                id=thread.id,
                lot_id=thread.lot_id,
                lot_title=title,
                buyer_org_id=thread.buyer_org_id,
                seller_org_id=thread.seller_org_id,
                buyer_org_name=names.get(thread.buyer_org_id, ""),
                seller_org_name=names.get(thread.seller_org_id, ""),
                status=status,
                waiting_for=rules.next_mover(state, now),
                latest_offer=offer_out(offers[-1], now, thread_open=status == "open") if offers else None,
                order_id=thread.order_id,
                wanted_request_id=thread.wanted_request_id,
                updated_at=thread.updated_at,
            )
        )
    return summaries


async def get_thread_for(
    session: AsyncSession, principal: Principal, thread_id: int, *, now: datetime | None = None
) -> schemas.Thread:
    """One thread with every offer, oldest first; 404 to anyone but its two orgs and admins."""
    thread = await load_thread(session, principal, thread_id)
    return await thread_out(session, thread, now or utcnow())
