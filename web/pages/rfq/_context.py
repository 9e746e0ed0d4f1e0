"""What a thread page shows: the thread, its timeline of offers and messages, and the caller's possible moves."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.i18n.catalog import N_
from exchange.rfq import schemas, services

__all__ = ["PAYMENT_TERMS_LABELS", "thread_context"]

PAYMENT_TERMS_LABELS = {"prepay": N_("Prepay"), "net30": N_("Net 30"), "net45": N_("Net 45")}


def _latest_by(offers: list[schemas.Offer], side: str) -> schemas.Offer | None:
    return next((o for o in reversed(offers) if o.by_side == side), None)


async def thread_context(session: AsyncSession, principal: Principal, thread_id: int) -> dict[str, Any]:
    thread = await services.get_thread_for(session, principal, thread_id)
    messages = await services.list_messages(session, principal, thread_id, url_prefix="/rfqs")
    side = (
        "buyer"
        if principal.org_id == thread.buyer_org_id
        else "seller"
        if principal.org_id == thread.seller_org_id
        else None
    )
    standing = thread.offers[-1] if thread.offers and thread.offers[-1].status == "open" else None
    is_open = thread.status == "open"
    timeline: list[tuple[str, Any]] = [("offer", o) for o in thread.offers] + [("message", m) for m in messages]
    timeline.sort(key=lambda item: item[1].created_at)
    other = None if side is None else ("seller" if side == "buyer" else "buyer")
    return {
        "thread": thread,
        "side": side,
        "other_side": other,
        "other_name": thread.seller_org_name if side == "buyer" else thread.buyer_org_name,
        "standing": standing,
        "latest_by": {"buyer": _latest_by(thread.offers, "buyer"), "seller": _latest_by(thread.offers, "seller")},
        "timeline": timeline,
        "can_accept": bool(is_open and side and standing and standing.by_side != side),
        "can_withdraw": bool(is_open and side and standing and standing.by_side == side),
        "can_offer": bool(is_open and side and not (standing and standing.by_side == side)),
        "can_act": bool(is_open and side),
        "pending_sample": next((s for s in thread.samples if s.status in ("requested", "priced")), None),
        "payment_terms_labels": PAYMENT_TERMS_LABELS,
        "accept_key": uuid.uuid4().hex,
        # A refused form ("offer", "sample" or "message") comes back with its input and problems.
        "failed": None,
        "form": {},
        "errors": {},
    }
