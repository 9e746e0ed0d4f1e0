"""Who may see and move a thread: its two orgs (admins may read, for disputes). Anyone else gets a 404."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.errors import Conflict, Forbidden, NotFound
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.lots.errors import LOT_UNAVAILABLE
from exchange.lots.models import Lot
from exchange.rfq import rules
from exchange.rfq.errors import (
    NOT_A_PARTY,
    NOT_YOUR_TURN,
    OFFER_EXPIRED,
    OFFER_SUPERSEDED,
    OWN_OFFER,
    RFQ_NOT_FOUND,
    THREAD_CLOSED,
)
from exchange.rfq.models import RfqOffer, RfqThread

__all__ = [
    "Move",
    "as_conflict",
    "legal",
    "load_move",
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
        raise NotFound(
            Msg("There is no RFQ thread {thread_id}, or it is not yours.", thread_id=thread_id), code=RFQ_NOT_FOUND
        )
    return thread


def party_side(thread: RfqThread, principal: Principal) -> rules.Side:
    """The caller's side in the thread; admins may read a negotiation but never move in it."""
    if principal.org_id == thread.buyer_org_id:
        return "buyer"
    if principal.org_id == thread.seller_org_id:
        return "seller"
    raise Forbidden(
        N_("Administrators can read a negotiation (for disputes) but only its buyer and seller can act in it."),
        code=NOT_A_PARTY,
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
        OWN_OFFER: "Not your offer to accept",
        OFFER_SUPERSEDED: "Offer superseded",
        OFFER_EXPIRED: "Offer expired",
        THREAD_CLOSED: "Negotiation ended",
        LOT_UNAVAILABLE: "Lot no longer available",
        NOT_YOUR_TURN: "Waiting for the other side",
    }
    return Conflict(error.reason, code=error.error, title=titles.get(error.error, "Move not allowed"))


T = TypeVar("T")


@dataclass(slots=True)
class Move:
    """What a party's move on a thread is checked against: the thread, their side, the lot and the offers,
    all read fresh from the database."""

    thread: RfqThread
    side: rules.Side
    lot: Lot
    offers: list[RfqOffer]

    @property
    def state(self) -> rules.ThreadState:
        return thread_state(self.thread, self.offers, self.lot)


async def load_move(session: AsyncSession, principal: Principal, thread_id: int) -> Move:
    """The thread (404 unless the caller's), the caller's side (403 for an admin), its lot and offers."""
    thread = await load_thread(session, principal, thread_id)
    side = party_side(thread, principal)
    lot = await session.get(Lot, thread.lot_id, populate_existing=True)
    assert lot is not None  # a thread's lot is never deleted (foreign key)
    return Move(thread, side, lot, await load_offers(session, thread.id))


def legal(check: Callable[..., T], *args: Any) -> T:
    """Run one of `rules.check_*`; an illegal move becomes a 409 that names it."""
    try:
        return check(*args)
    except rules.IllegalMove as move:
        raise as_conflict(move) from None


async def offer_to_accept(
    session: AsyncSession, principal: Principal, thread_id: int, offer_id: int
) -> tuple[RfqOffer, str] | None:
    """The open offer `offer_id` of the other side in the caller's thread (what an accept would bind them
    to) with the lot's title, or None when accepting it would be refused (the accept itself then says
    why); a 404 like load_thread's."""
    thread = await load_thread(session, principal, thread_id)
    if principal.org_id not in (thread.buyer_org_id, thread.seller_org_id):
        return None
    offer = await session.get(RfqOffer, offer_id)
    if offer is None or offer.thread_id != thread.id or offer.status != "open" or offer.by_org_id == principal.org_id:
        return None
    lot = await session.get(Lot, thread.lot_id)
    return offer, lot.title if lot is not None else f"RFQ {thread.id}"
