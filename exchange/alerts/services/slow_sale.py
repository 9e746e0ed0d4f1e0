"""Slow-sale advice: a live lot that nobody has bid on, bought or asked a quote for by its due time (a share
of its listing window) gets one piece of advice, on the seller's dashboard and as a notification."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.alerts import rules
from exchange.alerts.models import SlowSaleCheck
from exchange.alerts.services.pricing import asking_price, comparable_percents
from exchange.auctions.models import Bid
from exchange.i18n.messages import Money, Msg, as_msg
from exchange.live.channels import Live, org_channel
from exchange.lots.models import Lot
from exchange.money import format_minor
from exchange.notifications.services import notify
from exchange.orders.models import Order
from exchange.rfq.models import RfqThread

__all__ = ["advise_lot", "advise_slow_lots", "advised_lots", "has_interest", "slow_sale_advice"]


async def advised_lots(session: AsyncSession, org_id: int, *, limit: int = 10) -> list[tuple[int, str]]:
    """(id, title) of the seller's live lots whose slow-sale advice is not applied yet, newest advice first."""
    rows = await session.execute(
        select(Lot.id, Lot.title, SlowSaleCheck.advice)
        .join(SlowSaleCheck, SlowSaleCheck.lot_id == Lot.id)
        .where(Lot.seller_org_id == org_id, Lot.status == "live", SlowSaleCheck.advice.is_not(None))
        .order_by(SlowSaleCheck.fired_at.desc())
        .limit(limit)
    )
    return [(lot_id, title) for lot_id, title, advice in rows.all() if advice and not advice.get("applied")]


async def has_interest(session: AsyncSession, lot_id: int) -> bool:
    """Whether anyone bid on, bought or asked a quote for the lot."""
    for statement in (
        select(Bid.lot_id).where(Bid.lot_id == lot_id, Bid.amount_minor.is_not(None)).limit(1),
        select(Order.id).where(Order.lot_id == lot_id).limit(1),
        select(RfqThread.id).where(RfqThread.lot_id == lot_id).limit(1),
    ):
        if await session.scalar(statement) is not None:
            return True
    return False


async def slow_sale_advice(session: AsyncSession, lot: Lot) -> dict[str, Any]:
    """The advice: a price cut computed from comparable sold lots (with its basis), and the other options."""
    _field, price = asking_price(lot)
    cut = None
    if price is not None:
        cut = rules.suggest_price_cut(
            price_minor=price,
            quantity=Decimal(lot.quantity_value),
            reference_minor=lot.reference_price_minor,
            category=lot.category,
            grade=lot.grade,
            comparable_percents=await comparable_percents(session, lot),
        )
    options = []
    if not lot.rfq_enabled:
        options.append("Turn on RFQ so buyers can ask for a quote at their price.")
    options.append("Split the lot into smaller lots: more buyers can take a smaller quantity.")
    if lot.grade != "C":
        options.append("Regrade it if buyers may read the defects as a lower grade; a matching grade sells faster.")
    return {
        "suggested_minor": cut.price_minor if cut else None,
        "basis": cut.basis if cut else "No lower price is suggested: the price already sits at or below its basis.",
        "options": options,
        "applied": False,
    }


async def advise_slow_lots(
    session_maker: async_sessionmaker[AsyncSession], live: Live | None, now: datetime, *, limit: int = 100
) -> list[int]:
    """Give the advice to every lot due it (once per lot: claimed by a conditional UPDATE of `fired_at`);
    answers the lots advised."""
    async with session_maker() as session:
        due = list(
            await session.scalars(
                select(SlowSaleCheck.lot_id)
                .where(SlowSaleCheck.fired_at.is_(None), SlowSaleCheck.due_at <= now)
                .order_by(SlowSaleCheck.due_at)
                .limit(limit)
            )
        )
    advised: list[int] = []
    for lot_id in due:
        async with session_maker() as session, session.begin():
            seller = await advise_lot(session, lot_id, now)
        if seller is not None:
            advised.append(lot_id)
            if live is not None:
                live.publish(org_channel(seller), "notification", {"kind": "slow_sale_advice"})
    return advised


async def advise_lot(session: AsyncSession, lot_id: int, now: datetime) -> int | None:
    """Claim the lot's slow-sale check (once: a conditional UPDATE of `fired_at`) and, if it is still live and
    nobody has asked for it, give the advice; in the caller's transaction. Answers the seller told, or None."""
    claimed = await session.execute(
        update(SlowSaleCheck)
        .where(SlowSaleCheck.lot_id == lot_id, SlowSaleCheck.fired_at.is_(None))
        .values(fired_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        return None
    lot = await session.get(Lot, lot_id)
    if lot is None or lot.status != "live" or await has_interest(session, lot_id):
        return None
    advice = await slow_sale_advice(session, lot)
    await session.execute(update(SlowSaleCheck).where(SlowSaleCheck.lot_id == lot_id).values(advice=advice))
    suggested = format_minor(advice["suggested_minor"], lot.currency)
    await notify(
        session,
        lot.seller_org_id,
        kind="slow_sale_advice",
        title=Msg("No interest yet in {title}: see our advice", title=lot.title),
        body=Msg(
            "{price}{options}",
            price=Msg(
                "Suggested price {price} ({basis}). ",
                price=Money(suggested, lot.currency),
                basis=as_msg(advice["basis"]),
            )
            if suggested
            else "",
            options=" ".join(advice["options"]),
        ),
        link=f"/lots/{lot_id}/pricing",
    )
    return lot.seller_org_id
