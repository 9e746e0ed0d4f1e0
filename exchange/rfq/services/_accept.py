"""Accepting an offer: the one move that sells the lot, ends every other negotiation on it and
fulfils the wanted request it answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import idempotency
from exchange.accounts.principal import Principal
from exchange.auctions.leaving import require_no_bids, settle_left_sale
from exchange.audit.actors import actor_of
from exchange.db.base import utcnow
from exchange.errors import Conflict
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Money, Msg
from exchange.lots.events import lot_sold_elsewhere
from exchange.lots.models import Lot
from exchange.money import format_minor
from exchange.orders import schemas as order_schemas
from exchange.orders.credit import ensure_not_overdue
from exchange.orders.models import Order
from exchange.orders.services import create_order_for_lot, order_out
from exchange.rfq import rules
from exchange.rfq.errors import REQUEST_CLOSED, THREAD_CHANGED
from exchange.rfq.models import RfqOffer, RfqThread, SampleOrder, WantedRequest
from exchange.rfq.services._access import legal, load_move
from exchange.rfq.services._effects import publish_after_commit
from exchange.rfq.services._notices import notify_thread
from exchange.rfq.services._threads import advance_thread, end_threads
from exchange.runtime import Runtime, clock_of

__all__ = ["Accepted", "accept_offer", "accept_offer_once", "finish_accept"]

ACCEPT_SCOPE = "rfq.accept"


@dataclass(frozen=True)
class Accepted:
    order: Order
    thread: RfqThread


async def _fulfil_wanted_request(session: AsyncSession, request_id: int) -> None:
    """Claim the wanted request first (lock order: request, lot, thread), so two answers cannot both win."""
    result = await session.execute(
        update(WantedRequest)
        .where(WantedRequest.id == request_id, WantedRequest.status == "open")
        .values(status="fulfilled", updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise Conflict(
            "The wanted request this quote answers is no longer open (another quote was accepted, or it was "
            "withdrawn).",
            code=REQUEST_CLOSED,
            title="Request no longer open",
        )


async def _credited_samples(session: AsyncSession, lot_id: int, buyer_org_id: int) -> list[SampleOrder]:
    rows = await session.scalars(
        select(SampleOrder).where(
            SampleOrder.lot_id == lot_id,
            SampleOrder.buyer_org_id == buyer_org_id,
            SampleOrder.status.in_(rules.SAMPLE_CREDIT_STATUSES),
            SampleOrder.credited_order_id.is_(None),
        )
    )
    return list(rows)


async def accept_offer(
    session: AsyncSession,
    principal: Principal,
    thread_id: int,
    offer_id: int,
    *,
    runtime: Runtime | None = None,
    now: datetime | None = None,
) -> Accepted:
    """Accept the other side's latest open offer: create the order (source "quote") at its terms, less any
    paid sample fee, and end every other negotiation on the lot (and on the wanted request it answered).

    409 for your own offer, a superseded, expired or withdrawn one, an ended thread, a lot that another
    path (purchase, award, another quote) sold first, or a sealed-bid lot that has bids (`lot_has_bids`: it
    sells only at its close). A sealed-bid lot sold before its first bid has its deposits released and its
    watchers told. Call `finish_accept` after it to commit and tell the bid engine (no more bids).
    """
    now = now or clock_of(runtime).now()
    await ensure_not_overdue(session, principal.org_id if principal.org_kind == "buyer" else None, now)
    move = await load_move(session, principal, thread_id)
    thread, side, lot, offers = move.thread, move.side, move.lot, move.offers
    legal(rules.check_accept, move.state, side, offer_id, now)
    offer = next(o for o in offers if o.id == offer_id)

    if thread.wanted_request_id is not None:
        await _fulfil_wanted_request(session, thread.wanted_request_id)
    samples = await _credited_samples(session, lot.id, thread.buyer_org_id)
    amount, credited = rules.amount_after_sample_credit(offer.price_minor, (s.fee_minor or 0 for s in samples))
    terms: dict[str, Any] = {
        "quoted_price": format_minor(offer.price_minor, offer.currency),
        "sample_fee_credited": format_minor(credited, offer.currency),
        "delivery_by": offer.delivery_by.isoformat() if offer.delivery_by else None,
        "payment_terms": offer.payment_terms,
        "packaging": offer.packaging,
        "delivery_region": thread.delivery_region,
        "rfq_thread_id": thread.id,
        "offer_id": offer.id,
        "offer_version": offer.version,
    }
    terms = {key: value for key, value in terms.items() if value not in (None, "")}
    # The lot row first: of a purchase, an award and several acceptances racing, exactly one gets it.
    order = await create_order_for_lot(
        session,
        lot.id,
        buyer_org_id=thread.buyer_org_id,
        amount_minor=amount,
        source="quote",
        terms=terms,
        at=now,
        payment_window=runtime.settings.orders.payment_window if runtime is not None else None,
        actor=actor_of(principal),
    )
    # Under the lot's lock now: a sealed bid acknowledged before this point is counted here (409), one
    # arriving later finds the lot sold and is refused (see `auctions.leaving`).
    await require_no_bids(session, lot, refused=N_("sold by quote"))
    await advance_thread(session, thread, status="accepted", order_id=order.id, closed_reason="")
    result = await session.execute(
        update(RfqOffer)
        .where(RfqOffer.id == offer.id, RfqOffer.status == "open")
        .values(status="accepted", status_changed_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise Conflict(N_("This offer changed while you accepted it; reload the thread."), code=THREAD_CHANGED)
    for sample in samples:
        sample.credited_order_id = order.id

    await end_threads(
        session,
        select(RfqThread).where(RfqThread.lot_id == lot.id, RfqThread.status == "open", RfqThread.id != thread.id),
        status="closed",
        reason="The lot was sold to another buyer.",
        notify_side="buyer",
        title=f"{lot.title} has been sold",
        runtime=runtime,
        now=now,
    )
    if thread.wanted_request_id is not None:
        await end_threads(
            session,
            select(RfqThread).where(
                RfqThread.wanted_request_id == thread.wanted_request_id,
                RfqThread.status == "open",
                RfqThread.id != thread.id,
            ),
            status="declined",
            reason="The buyer accepted another quote for this request.",
            notify_side="seller",
            title="Your quote was not chosen",
            runtime=runtime,
            now=now,
        )
    maker_org = thread.buyer_org_id if offer.by_side == "buyer" else thread.seller_org_id
    await notify_thread(
        session,
        maker_org,
        thread.id,
        kind="rfq_accepted",
        title=Msg("Offer accepted: {title}", title=lot.title),
        body=Msg(
            "Order #{order} for {amount} is awaiting payment.",
            order=order.id,
            amount=Money(format_minor(amount, order.currency), order.currency),
        ),
        runtime=runtime,
    )
    await settle_left_sale(session, lot.id, "sold", buyer_org_id=thread.buyer_org_id, runtime=runtime)
    publish_after_commit(session, runtime, thread.id, "status")
    await session.flush()
    return Accepted(order=order, thread=thread)


async def finish_accept(session: AsyncSession, runtime: Runtime | None, accepted: Accepted) -> None:
    """Commit the acceptance, then tell the bid engine the lot is sold (a sealed-bid lot closes as sold)."""
    await session.commit()
    if runtime is not None:
        await lot_sold_elsewhere(runtime, accepted.order.lot_id)


async def accept_offer_once(
    session: AsyncSession,
    principal: Principal,
    thread_id: int,
    offer_id: int,
    *,
    idempotency_key: str | None = None,
    runtime: Runtime | None = None,
    now: datetime | None = None,
) -> order_schemas.Order:
    """Accept, commit and tell the bid engine, returning the order. With an idempotency key, a repeat
    (even one racing the first) gets the first answer and changes nothing; a key reused for another
    offer is a 422. This service commits the session."""
    assert principal.org_id is not None or principal.is_admin
    org_id = principal.org_id or 0
    key = idempotency.check_key(idempotency_key)
    request_hash = idempotency.fingerprint(thread_id, offer_id)
    if key is not None:
        earlier = await idempotency.replay(session, org_id, ACCEPT_SCOPE, key, request_hash)
        if earlier is not None:
            return msgspec.convert(earlier.body, order_schemas.Order)
    try:
        accepted = await accept_offer(session, principal, thread_id, offer_id, runtime=runtime, now=now)
    except Conflict:
        if key is None:
            raise
        # A twin request with this key may have won the race; if so, answer as it did.
        await session.rollback()
        earlier = await idempotency.replay(session, org_id, ACCEPT_SCOPE, key, request_hash)
        if earlier is None:
            raise
        return msgspec.convert(earlier.body, order_schemas.Order)
    lot_title = await session.scalar(select(Lot.title).where(Lot.id == accepted.order.lot_id))
    answer = order_out(accepted.order, lot_title)
    if key is not None:
        await idempotency.remember(session, org_id, ACCEPT_SCOPE, key, request_hash, 201, msgspec.to_builtins(answer))
    await finish_accept(session, runtime, accepted)
    return answer
