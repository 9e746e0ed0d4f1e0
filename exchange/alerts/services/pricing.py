"""A seller's pricing view of a lot (grade band, comparable sold lots, slow-sale advice) and the price cut."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.alerts import rules, schemas
from exchange.alerts.errors import LOT_NOT_LIVE, NO_PRICE_TO_CUT, PRICE_NOT_LOWER
from exchange.alerts.models import LotPriceChange, SlowSaleCheck
from exchange.alerts.outbox import queue_went_live
from exchange.auctions.errors import LOT_HAS_BIDS
from exchange.auctions.models import Bid
from exchange.audit import record
from exchange.errors import Conflict, Forbidden, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Money, Msg, MsgText
from exchange.lots.errors import LOT_STATE_CHANGED, NOT_YOUR_LOT
from exchange.lots.models import Lot
from exchange.lots.rules import status_words
from exchange.lots.visibility import get_visible_lot
from exchange.money import format_minor, parse_money
from exchange.orders.models import Order

__all__ = ["COMPARABLES", "apply_price_cut", "asking_price", "comparable_percents", "lot_pricing", "seller_lot"]

COMPARABLES = 200
"""The most recent sold lots a comparison reads."""


def asking_price(lot: Lot) -> tuple[str, int | None]:
    """(which field, its amount): the fixed price, or a sealed-bid lot's public minimum bid."""
    if lot.sale_mode == "fixed_price":
        return "price", lot.price_minor
    return "min_bid", lot.min_bid_minor


async def seller_lot(session: AsyncSession, principal: Principal, lot_id: int) -> Lot:
    """The lot for its seller (and admins); 404 to whoever cannot see it, 403 to other viewers."""
    lot = await get_visible_lot(session, principal, lot_id)
    if lot.seller_org_id != principal.org_id and not principal.is_admin:
        raise Forbidden(N_("Only the seller that posted this lot sees its pricing advice."), code=NOT_YOUR_LOT)
    return lot


async def comparable_percents(session: AsyncSession, lot: Lot) -> list[Decimal]:
    """What comparable sold lots (same category, grade and currency, with a reference price) fetched per unit,
    as percents of their reference price per unit; the most recent `COMPARABLES`."""
    rows = await session.execute(
        select(Order.amount_minor, Lot.quantity_value, Lot.reference_price_minor)
        .join(Lot, Lot.id == Order.lot_id)
        .where(
            Lot.category == lot.category,
            Lot.grade == lot.grade,
            Lot.currency == lot.currency,
            Lot.reference_price_minor.is_not(None),
            Lot.reference_price_minor > 0,
            Lot.id != lot.id,
        )
        .order_by(Order.id.desc())
        .limit(COMPARABLES)
    )
    percents = []
    for amount, quantity, reference in rows.all():
        if reference is None:
            continue
        per_unit = rules.unit_price(int(amount), Decimal(quantity))
        percents.append(per_unit * 100 / int(reference))
    return percents


def _advice_out(check: SlowSaleCheck | None, currency: str) -> schemas.SlowSaleAdvice | None:
    if check is None or check.fired_at is None or not check.advice:
        return None
    advice = check.advice
    return schemas.SlowSaleAdvice(
        given_at=check.fired_at,
        suggested_price=format_minor(advice.get("suggested_minor"), currency),
        basis=str(advice.get("basis", "")),
        options=[str(option) for option in advice.get("options", [])],
        applied=bool(advice.get("applied")),
    )


async def lot_pricing(session: AsyncSession, principal: Principal, lot_id: int) -> schemas.LotPricing:
    """Where the lot's asking price sits against its grade band and comparable sold lots, and its slow-sale advice."""
    lot = await seller_lot(session, principal, lot_id)
    _field, price = asking_price(lot)
    percents = await comparable_percents(session, lot)
    quantity = Decimal(lot.quantity_value)
    position = rules.price_position(
        price_minor=price,
        quantity=quantity,
        reference_minor=lot.reference_price_minor,
        category=lot.category,
        grade=lot.grade,
        comparable_percents=percents,
    )
    check = await session.get(SlowSaleCheck, lot.id)
    unit = (
        format_minor(int(position.unit_price_minor.quantize(Decimal(1))), lot.currency) if price is not None else None
    )
    return schemas.LotPricing(
        lot_id=lot.id,
        currency=lot.currency,
        price=format_minor(price, lot.currency),
        unit_price=unit,
        reference_price=format_minor(lot.reference_price_minor, lot.currency),
        percent_of_reference=str(position.percent_of_reference) if position.percent_of_reference is not None else None,
        position=position.position,  # type: ignore[arg-type]
        band=schemas.Band(
            grade=position.band.grade,
            low_percent=position.band.low_percent,
            high_percent=position.band.high_percent,
            source=position.band.source,
        ),
        comparables=schemas.Comparables(
            count=position.comparable_count,
            median_percent_of_reference=(
                str(position.comparable_median_percent) if position.comparable_median_percent is not None else None
            ),
        ),
        warnings=position.warnings,
        slow_sale=_advice_out(check, lot.currency),
    )


async def apply_price_cut(
    session: AsyncSession, principal: Principal, lot_id: int, price: str | None, *, now: datetime
) -> schemas.PriceCutOut:
    """Lower a live lot's asking price (the given one, or the slow-sale advice's suggestion): one
    compare-and-set UPDATE, a row in the lot's price history, and the lot queued for saved searches again.
    In the caller's transaction; the caller commits, then lets the bid engine reload the lot."""
    lot = await seller_lot(session, principal, lot_id)
    if lot.seller_org_id != principal.org_id:
        raise Forbidden(N_("Only the seller that posted this lot can change its price."), code=NOT_YOUR_LOT)
    if lot.status != "live":
        raise Conflict(
            Msg("This lot is {status}; only a live lot's price can be cut.", status=Msg(status_words(lot.status))),
            code=LOT_NOT_LIVE,
        )
    field, old = asking_price(lot)
    if old is None:
        raise Conflict(N_("This sealed-bid lot has no minimum bid to lower."), code=NO_PRICE_TO_CUT)
    if field == "min_bid":
        has_bids = await session.scalar(select(Bid.lot_id).where(Bid.lot_id == lot.id, Bid.amount_minor.is_not(None)))
        if has_bids is not None:
            raise Conflict(N_("Buyers have bid on this lot; its terms stay as they bid on them."), code=LOT_HAS_BIDS)
    check = await session.get(SlowSaleCheck, lot.id)
    if price is None:
        suggested = (check.advice or {}).get("suggested_minor") if check is not None else None
        if suggested is None:
            raise Unprocessable(N_("There is no suggested price for this lot; give the new price."), field="price")
        new = int(suggested)
    else:
        new = parse_money(price, lot.currency, field="price")
    if new >= old:
        current = format_minor(old, lot.currency)
        raise Unprocessable(
            MsgText(
                Msg("A price cut must lower the price (now {price}).", price=Money(current, lot.currency)),
                f"A price cut must lower the price (now {current} {lot.currency}).",
            ),
            field="price",
            code=PRICE_NOT_LOWER,
        )
    column = Lot.price_minor if field == "price" else Lot.min_bid_minor
    result = await session.execute(
        update(Lot)
        .where(Lot.id == lot.id, Lot.status == "live", column == old)
        .values({column: new})
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 1) != 1:
        raise Conflict(N_("This lot changed meanwhile; reload it and try again."), code=LOT_STATE_CHANGED)
    session.add(
        LotPriceChange(
            lot_id=lot.id,
            field=field,
            old_minor=old,
            new_minor=new,
            by_user_id=principal.user_id,
            reason="suggested price cut" if price is None else "price cut",
            at=now,
        )
    )
    await record(
        session,
        actor=f"user:{principal.user_id}",
        object_type="lot",
        object_id=lot.id,
        action="price_cut",
        before={field: old},
        after={field: new},
        at=now,
    )
    if check is not None and check.advice:
        check.advice = {**check.advice, "applied": True}
    await queue_went_live(session, lot.id, "price_cut", now=now)
    await session.flush()
    return schemas.PriceCutOut(
        lot_id=lot.id,
        field=field,  # type: ignore[arg-type]
        old_price=format_minor(old, lot.currency),
        new_price=format_minor(new, lot.currency) or "0",
        currency=lot.currency,
        at=now,
    )
