"""Opening an RFQ on a lot, countering, declining and withdrawing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.errors import WRONG_ORG_KIND
from exchange.accounts.principal import Principal
from exchange.auctions.leaving import require_no_bids
from exchange.errors import Forbidden
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Money, Msg, When
from exchange.lots.visibility import get_visible_lot
from exchange.money import format_minor
from exchange.rfq import rules, schemas
from exchange.rfq.models import RfqOffer, RfqThread, SampleOrder
from exchange.rfq.services._access import legal, load_move
from exchange.rfq.services._effects import publish_after_commit
from exchange.rfq.services._notices import notify_thread
from exchange.rfq.services._terms import read_terms_of
from exchange.rfq.services._threads import (
    NEGOTIATED,
    add_offer,
    advance_thread,
    end_open_offers,
    require_rfq_open_lot,
    start_thread,
)
from exchange.runtime import Runtime, clock_of

__all__ = ["decline_thread", "make_offer", "open_rfq", "withdraw_offer"]


async def open_rfq(
    session: AsyncSession,
    principal: Principal,
    lot_id: int,
    data: schemas.RfqOpen,
    *,
    runtime: Runtime | None = None,
    now: datetime | None = None,
) -> RfqThread:
    """A buyer's request for quotation on a live lot: a new thread whose first offer is the buyer's target.

    404 when the lot is not visible to the buyer; 409 when the lot is not for sale, RFQ is off, or the
    buyer already has an open thread on it.
    """
    now = now or clock_of(runtime).now()
    if principal.org_id is None or principal.org_kind != "buyer":
        raise Forbidden(N_("Only buyer organisations can ask for quotes."), code=WRONG_ORG_KIND)
    lot = await get_visible_lot(session, principal, lot_id)
    await require_rfq_open_lot(session, lot)
    terms = read_terms_of(data, lot.currency, now)
    thread, _offer = await start_thread(
        session,
        lot,
        buyer_org_id=principal.org_id,
        opened_by="buyer",
        by_user_id=principal.user_id,
        terms=terms,
        delivery_region=data.delivery_region,
    )
    if data.sample_units:
        session.add(
            SampleOrder(
                thread_id=thread.id,
                lot_id=lot.id,
                buyer_org_id=thread.buyer_org_id,
                seller_org_id=thread.seller_org_id,
                units=data.sample_units,
                currency=lot.currency,
                status="requested",
            )
        )
        await session.flush()
    await notify_thread(
        session,
        lot.seller_org_id,
        thread.id,
        kind="rfq_opened",
        title=Msg("New RFQ on {title}", title=lot.title),
        body=Msg(
            "{buyer} asks for a quote at {price}{sample}.",
            buyer=principal.org_name or Msg("A buyer"),
            price=Money(format_minor(terms.price_minor, lot.currency), lot.currency),
            sample=Msg(" and a sample of {units} units", units=data.sample_units) if data.sample_units else "",
        ),
        runtime=runtime,
    )
    return thread


async def make_offer(
    session: AsyncSession,
    principal: Principal,
    thread_id: int,
    data: schemas.OfferCreate,
    *,
    runtime: Runtime | None = None,
    now: datetime | None = None,
) -> RfqOffer:
    """A quote or counter-offer by either party; it supersedes the other side's standing offer.

    409 when it is not the caller's turn (their own offer still stands) or the thread has ended.
    """
    now = now or clock_of(runtime).now()
    move = await load_move(session, principal, thread_id)
    thread, side, lot, offers = move.thread, move.side, move.lot, move.offers
    standing = legal(rules.check_offer, move.state, side, now)
    await require_no_bids(session, lot, refused=NEGOTIATED)
    terms = read_terms_of(data, lot.currency, now)
    await advance_thread(session, thread)
    if offers and offers[-1].status == "open":
        # The previous offer is either answered by this one, or it lapsed and nobody has recorded that yet.
        await session.execute(
            update(RfqOffer)
            .where(RfqOffer.id == offers[-1].id, RfqOffer.status == "open")
            .values(status="superseded" if standing else "expired", status_changed_at=now)
            .execution_options(synchronize_session=False)
        )
    assert principal.org_id is not None
    offer = await add_offer(
        session,
        thread,
        version=len(offers) + 1,
        side=side,
        by_org_id=principal.org_id,
        by_user_id=principal.user_id,
        terms=terms,
    )
    counterpart = thread.seller_org_id if side == "buyer" else thread.buyer_org_id
    word = Msg("counter-offer") if standing else (Msg("quote") if side == "seller" else Msg("offer"))
    await notify_thread(
        session,
        counterpart,
        thread.id,
        kind="rfq_offer",
        title=Msg("New {word} on {title}", word=word, title=lot.title),
        body=Msg(
            "{sender} offers {price}, valid until {until}.",
            sender=principal.org_name or Msg("The other side"),
            price=Money(format_minor(terms.price_minor, lot.currency), lot.currency),
            until=When(terms.valid_until),
        ),
        runtime=runtime,
    )
    publish_after_commit(session, runtime, thread.id, "offer")
    return offer


async def decline_thread(
    session: AsyncSession,
    principal: Principal,
    thread_id: int,
    *,
    reason: str = "",
    runtime: Runtime | None = None,
    now: datetime | None = None,
) -> RfqThread:
    """Either party ends the negotiation; the standing offer (if any) is declined with it."""
    now = now or clock_of(runtime).now()
    move = await load_move(session, principal, thread_id)
    thread, side, lot = move.thread, move.side, move.lot
    legal(rules.check_decline, move.state, side)
    why = reason.strip() or f"Declined by the {side}."
    await advance_thread(session, thread, status="declined", closed_reason=why)
    await end_open_offers(session, [thread.id], "declined", now)
    counterpart = thread.seller_org_id if side == "buyer" else thread.buyer_org_id
    await notify_thread(
        session,
        counterpart,
        thread.id,
        kind="rfq_declined",
        title=Msg("RFQ on {title} declined", title=lot.title),
        body=Msg(
            "{sender} ended the negotiation. {reason}",
            sender=principal.org_name or Msg("The other side"),
            reason=reason.strip(),
        ),
        runtime=runtime,
    )
    publish_after_commit(session, runtime, thread.id, "status")
    return thread


async def withdraw_offer(
    session: AsyncSession,
    principal: Principal,
    thread_id: int,
    *,
    runtime: Runtime | None = None,
    now: datetime | None = None,
) -> RfqOffer:
    """The maker takes back their standing offer; the thread stays open for a fresh offer from either side."""
    now = now or clock_of(runtime).now()
    move = await load_move(session, principal, thread_id)
    thread, side, lot, offers = move.thread, move.side, move.lot, move.offers
    standing = legal(rules.check_withdraw, move.state, side, now)
    await advance_thread(session, thread)
    await session.execute(
        update(RfqOffer)
        .where(RfqOffer.id == standing.id, RfqOffer.status == "open")
        .values(status="withdrawn", status_changed_at=now)
        .execution_options(synchronize_session=False)
    )
    offer = next(o for o in offers if o.id == standing.id)
    await session.refresh(offer)
    counterpart = thread.seller_org_id if side == "buyer" else thread.buyer_org_id
    await notify_thread(
        session,
        counterpart,
        thread.id,
        kind="rfq_withdrawn",
        title=f"Offer on {lot.title} withdrawn",
        body=f"{principal.org_name or 'The other side'} withdrew their offer; the negotiation stays open.",
        runtime=runtime,
    )
    publish_after_commit(session, runtime, thread.id, "offer")
    return offer
