"""Runner-up offers: after a sealed-bid winner did not pay, the seller offers the lot down the ranking.

Each offer goes to the best-ranked bidder not yet asked, at that bidder's own final bid, and lapses at
its deadline. One offer is open per lot at a time (a partial unique index), and one live order per lot
(the orders' partial unique index): accepting makes the new order through `create_order_for_lot`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.accounts.principal import Principal
from exchange.auctions.models import Bid
from exchange.auctions.rules import ranking_order_by
from exchange.errors import Conflict, NotFound
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.lots.models import Lot
from exchange.money import format_minor
from exchange.orders import schemas
from exchange.orders.credit import ensure_not_overdue
from exchange.orders.errors import NO_RUNNER_UP, RUNNER_UP_CLOSED, RUNNER_UP_NOT_FOUND
from exchange.orders.models import Order, RunnerUpOffer
from exchange.orders.notices import tell_org
from exchange.orders.services import create_order_for_lot, load_for
from exchange.orders.transitions import refuse
from exchange.runtime import Runtime

__all__ = ["answer_offer", "get_offer", "lapse_due", "offer_next", "offer_out", "offers_after", "viewed_offer"]

RANKED_SOURCES = ("award", "runner_up")


def offer_out(offer: RunnerUpOffer) -> schemas.RunnerUpOffer:
    return schemas.RunnerUpOffer(
        id=offer.id,
        lot_id=offer.lot_id,
        after_order_id=offer.after_order_id,
        org_id=offer.org_id,
        amount=format_minor(offer.amount_minor, offer.currency) or "0",
        currency=offer.currency,
        status=offer.status,
        due_at=offer.due_at,
        order_id=offer.order_id,
    )


def _no_runner_up(detail: str) -> Conflict:
    return Conflict(detail, code=NO_RUNNER_UP, title="No runner-up to offer")


async def offer_next(
    session: AsyncSession, runtime: Runtime, principal: Principal, order_id: int
) -> schemas.RunnerUpOffer:
    """The seller of a cancelled sealed-bid order offers the lot to the next bidder in the ranking."""
    order, side = await load_for(session, principal, order_id, lock=True)
    if side != "seller":
        raise refuse(order, "runner_up_offer", side)
    if order.status != "cancelled" or order.source not in RANKED_SOURCES:
        raise _no_runner_up("Only a cancelled order of a sealed-bid award can pass its lot to a runner-up.")
    live = await session.scalar(select(Order.id).where(Order.lot_id == order.lot_id, Order.status != "cancelled"))
    if live is not None:
        raise _no_runner_up(f"The lot already has a live order ({live}).")
    relisted_as = await session.scalar(select(Lot.id).where(Lot.relisted_from_id == order.lot_id))
    if relisted_as is not None:
        raise _no_runner_up(f"The seller stopped: the lot was relisted as lot {relisted_as}.")
    asked = select(RunnerUpOffer.org_id).where(RunnerUpOffer.lot_id == order.lot_id)
    bought = select(Order.buyer_org_id).where(Order.lot_id == order.lot_id)
    best = (
        await session.execute(
            select(Bid.bidder_org_id, Bid.amount_minor, Bid.currency)
            .where(
                Bid.lot_id == order.lot_id,
                Bid.amount_minor.is_not(None),
                Bid.bidder_org_id.not_in(asked),
                Bid.bidder_org_id.not_in(bought),
            )
            .order_by(*ranking_order_by(Bid))
            .limit(1)
        )
    ).first()
    if best is None:
        raise _no_runner_up("No other bidder is left to offer this lot to; you may relist it.")
    now = runtime.clock.now()
    offer = RunnerUpOffer(
        lot_id=order.lot_id,
        after_order_id=order.id,
        org_id=best[0],
        amount_minor=int(best[1] or 0),
        currency=best[2],
        status="offered",
        due_at=now + runtime.settings.orders.runner_up_window,
        created_at=now,
    )
    session.add(offer)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise _no_runner_up("An offer for this lot is still open; wait for its answer or its deadline.") from None
    await tell_org(
        session,
        offer.org_id,
        kind="runner_up_offer",
        title="A lot you bid on is offered to you",
        body=f"The winner did not pay. You may buy the lot at your own final bid of "
        f"{format_minor(offer.amount_minor, offer.currency)} {offer.currency} until {offer.due_at:%Y-%m-%d %H:%M} UTC.",
        link=f"/runner-up-offers/{offer.id}",
        runtime=runtime,
    )
    return offer_out(offer)


async def _visible_offer(session: AsyncSession, principal: Principal, offer_id: int) -> tuple[RunnerUpOffer, str]:
    offer = await session.get(RunnerUpOffer, offer_id)
    if offer is not None:
        seller = await session.scalar(select(Order.seller_org_id).where(Order.id == offer.after_order_id))
        if principal.org_id is not None and principal.org_id == offer.org_id:
            return offer, "bidder"
        if principal.org_id is not None and principal.org_id == seller:
            return offer, "seller"
        if principal.is_admin:
            return offer, "admin"
    raise NotFound(Msg("There is no runner-up offer {offer} for you.", offer=offer_id), code=RUNNER_UP_NOT_FOUND)


async def get_offer(session: AsyncSession, principal: Principal, offer_id: int) -> schemas.RunnerUpOffer:
    return offer_out((await _visible_offer(session, principal, offer_id))[0])


async def viewed_offer(session: AsyncSession, principal: Principal, offer_id: int) -> tuple[schemas.RunnerUpOffer, str]:
    """The offer and who views it ("bidder", "seller" or "admin"); 404 for anyone else."""
    offer, who = await _visible_offer(session, principal, offer_id)
    return offer_out(offer), who


async def offers_after(session: AsyncSession, order: Order) -> list[schemas.RunnerUpOffer]:
    """The runner-up offers made on the lot of a cancelled sealed-bid order, oldest first (for its seller's page)."""
    if order.source not in RANKED_SOURCES:
        return []
    rows = await session.scalars(
        select(RunnerUpOffer).where(RunnerUpOffer.lot_id == order.lot_id).order_by(RunnerUpOffer.id)
    )
    return [offer_out(row) for row in rows]


async def answer_offer(
    session: AsyncSession, runtime: Runtime, principal: Principal, offer_id: int, *, accept: bool
) -> schemas.RunnerUpOffer:
    """The offered bidder accepts (a new order at its bid, awaiting payment) or declines."""
    offer, who = await _visible_offer(session, principal, offer_id)
    if who != "bidder":
        raise NotFound(Msg("There is no runner-up offer {offer} for you.", offer=offer_id), code=RUNNER_UP_NOT_FOUND)
    now = runtime.clock.now()
    if accept:
        await ensure_not_overdue(session, offer.org_id, now)
    claimed = await session.execute(
        update(RunnerUpOffer)
        .where(RunnerUpOffer.id == offer.id, RunnerUpOffer.status == "offered", RunnerUpOffer.due_at > now)
        .values(status="accepted" if accept else "declined", decided_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        raise Conflict(
            N_("This offer was already answered or has lapsed."), code=RUNNER_UP_CLOSED, title="Offer closed"
        )
    offer.status = "accepted" if accept else "declined"
    seller_org_id = await session.scalar(select(Order.seller_org_id).where(Order.id == offer.after_order_id))
    if accept:
        order = await create_order_for_lot(
            session,
            offer.lot_id,
            buyer_org_id=offer.org_id,
            amount_minor=offer.amount_minor,
            source="runner_up",
            terms={"runner_up_offer_id": offer.id, "after_order_id": offer.after_order_id},
            from_statuses=("awarded",),
            at=now,
            payment_window=runtime.settings.orders.payment_window,
        )
        offer.order_id = order.id
    if seller_org_id is not None:
        await tell_org(
            session,
            seller_org_id,
            kind="runner_up_answered",
            title=f"Runner-up offer {'accepted' if accept else 'declined'}",
            body="The bidder accepted: an order awaits its payment."
            if accept
            else "The bidder declined. You may offer the lot to the next bidder or relist it.",
            link=f"/orders/{offer.order_id or offer.after_order_id}",
            runtime=runtime,
        )
    await session.flush()
    return offer_out(offer)


async def lapse_due(session_maker: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """Offers past their deadline lapse (once, whichever worker gets there); their sellers are told."""
    async with session_maker() as session, session.begin():
        lapsed = (
            await session.execute(
                update(RunnerUpOffer)
                .where(RunnerUpOffer.status == "offered", RunnerUpOffer.due_at <= now)
                .values(status="lapsed", decided_at=now)
                .returning(RunnerUpOffer.after_order_id)
                .execution_options(synchronize_session=False)
            )
        ).all()
        for (after_order_id,) in lapsed:
            seller = await session.scalar(select(Order.seller_org_id).where(Order.id == after_order_id))
            if seller is not None:
                await tell_org(
                    session,
                    seller,
                    kind="runner_up_lapsed",
                    title="Runner-up offer lapsed",
                    body="The bidder did not answer in time. You may offer the lot to the next bidder or relist it.",
                    link=f"/orders/{after_order_id}",
                )
    return len(lapsed)
