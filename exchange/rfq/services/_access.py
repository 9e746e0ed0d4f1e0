"""Who may see and move a thread: its two orgs (admins may read, for disputes). Anyone else gets a 404."""

from __future__ import annotations

from typing import cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.errors import Conflict, Forbidden, NotFound
from exchange.lots.models import Lot
from exchange.rfq import rules
from exchange.rfq.models import RfqOffer, RfqThread

__all__ = [
    "as_conflict",
    "load_offers",
    "load_thread",
    "party_side",
    "thread_state",
]


def _is_party(thread: RfqThread, principal: Principal) -> bool:
    return principal.org_id is not None and principal.org_id in (thread.buyer_org_id, thread.seller_org_id)


async def load_thread(session: AsyncSession, principal: Principal, thread_id: int) -> RfqThread:
    """The thread for one of its parties or an admin; a 404 that reads the same for missing and not yours."""
    thread = await session.get(RfqThread, thread_id, populate_existing=True)
    if thread is None or not (principal.is_admin or _is_party(thread, principal)):
        raise NotFound(f"There is no RFQ thread {thread_id}, or it is not yours.", code="rfq_not_found")
    return thread


def party_side(thread: RfqThread, principal: Principal) -> rules.Side:
    """The caller's side in the thread; admins may read a negotiation but never move in it."""
    if principal.org_id == thread.buyer_org_id:
        return "buyer"
    if principal.org_id == thread.seller_org_id:
        return "seller"
    raise Forbidden(
        "Administrators can read a negotiation (for disputes) but only its buyer and seller can act in it.",
        code="not_a_party",
    )


async def load_offers(session: AsyncSession, thread_id: int) -> list[RfqOffer]:
    rows = await session.scalars(
        select(RfqOffer)
        .where(RfqOffer.thread_id == thread_id)
        .order_by(RfqOffer.version)
        .execution_options(populate_existing=True)
    )
    return list(rows)


def thread_state(thread: RfqThread, offers: list[RfqOffer], lot: Lot) -> rules.ThreadState:
    return rules.ThreadState(
        status=thread.status,
        lot_available=lot.status == "live",
        offers=tuple(
            rules.OfferState(id=o.id, by_side=cast(rules.Side, o.by_side), status=o.status, valid_until=o.valid_until)
            for o in offers
        ),
    )


def as_conflict(error: rules.IllegalMove) -> Conflict:
    titles = {
        "own_offer": "Not your offer to accept",
        "offer_superseded": "Offer superseded",
        "offer_expired": "Offer expired",
        "thread_closed": "Negotiation ended",
        "lot_unavailable": "Lot no longer available",
        "not_your_turn": "Waiting for the other side",
    }
    return Conflict(error.reason, code=error.code, title=titles.get(error.code, "Move not allowed"))
