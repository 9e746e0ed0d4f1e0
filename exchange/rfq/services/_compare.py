"""The buyer's side-by-side view of every answer to a wanted request, in the request's own unit."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.db.base import utcnow
from exchange.errors import Forbidden
from exchange.i18n.catalog import N_
from exchange.lots.models import Lot
from exchange.money import CURRENCIES, format_minor
from exchange.rfq import rules, schemas, units
from exchange.rfq.errors import NOT_YOUR_REQUEST
from exchange.rfq.models import RfqOffer, RfqThread, WantedRequest
from exchange.rfq.services._specs import spec_checks
from exchange.rfq.services._views import offer_out, org_names
from exchange.rfq.services._wanted import load_wanted, wanted_out

__all__ = ["compare_answers", "unit_price_text"]


def unit_price_text(price_minor: int, quantity: Decimal, currency: str) -> str | None:
    """Price per unit as a decimal string: two places, more when the unit price is tiny (0.0042)."""
    if quantity <= 0:
        return None
    places = CURRENCIES.get(currency, 2)
    per_unit = Decimal(price_minor) / quantity / (Decimal(10) ** places)
    exact = per_unit.quantize(Decimal(10) ** -(places + 4), rounding=ROUND_HALF_UP)
    shown = exact.quantize(Decimal(10) ** -places, rounding=ROUND_HALF_UP)
    if shown == 0 and exact != 0:
        return f"{exact.normalize():f}"
    return f"{shown:f}"


def _row(
    request: WantedRequest, thread: RfqThread, lot: Lot, offers: list[RfqOffer], seller_name: str, now: datetime
) -> schemas.ComparisonRow:
    state = rules.ThreadState(
        status=thread.status,
        lot_available=lot.status == "live",
        offers=tuple(rules.OfferState(o.id, cast(rules.Side, o.by_side), o.status, o.valid_until) for o in offers),
    )
    latest = offers[-1] if offers else None
    thread_status = rules.effective_thread_status(state)
    latest_view = offer_out(latest, now, thread_open=thread_status == "open") if latest else None
    in_request_unit = units.convert(lot.quantity_value, lot.quantity_unit, request.quantity_unit)
    standing = rules.latest_open_offer(state, now)
    return schemas.ComparisonRow(
        thread_id=thread.id,
        thread_status=thread_status,
        seller_org_id=thread.seller_org_id,
        seller_org_name=seller_name,
        lot_id=lot.id,
        lot_title=lot.title,
        grade=lot.grade,
        lot_quantity=schemas.Quantity(value=f"{lot.quantity_value.normalize():f}", unit=lot.quantity_unit),
        quantity_in_request_unit=(
            f"{in_request_unit.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}" if in_request_unit else None
        ),
        offer_id=latest.id if latest else None,
        offer_status=latest_view.status if latest_view else None,
        offer_by_side=latest.by_side if latest else None,
        price=format_minor(latest.price_minor, latest.currency) if latest else None,
        currency=lot.currency,
        unit_price=(
            unit_price_text(latest.price_minor, in_request_unit, latest.currency)
            if latest and in_request_unit
            else None
        ),
        unit=request.quantity_unit,
        delivery_by=latest.delivery_by if latest else None,
        payment_terms=latest.payment_terms if latest else None,
        packaging=latest.packaging if latest else "",
        valid_until=latest.valid_until if latest else None,
        within_budget=(
            latest.price_minor <= request.budget_minor
            if latest and request.budget_minor is not None and latest.currency == request.currency
            else None
        ),
        delivers_by_deadline=(latest.delivery_by <= request.deadline) if latest and latest.delivery_by else None,
        specs=spec_checks(request.spec_constraints, lot),
        can_accept=standing is not None and standing.by_side == "seller",
    )


async def compare_answers(
    session: AsyncSession, principal: Principal, request_id: int, *, now: datetime | None = None
) -> schemas.Comparison:
    """Every answer side by side: total and unit price in the request's unit, delivery, payment terms,
    grade and the specs the request constrains. Only the buyer who posted it (and admins) may compare."""
    now = now or utcnow()
    request = await load_wanted(session, principal, request_id)
    if request.buyer_org_id != principal.org_id and not principal.is_admin:
        raise Forbidden(N_("Only the buyer who posted this request can compare its quotes."), code=NOT_YOUR_REQUEST)
    rows = (
        await session.execute(
            select(RfqThread, Lot)
            .join(Lot, Lot.id == RfqThread.lot_id)
            .where(RfqThread.wanted_request_id == request.id)
            .order_by(RfqThread.id)
        )
    ).all()
    thread_ids = [thread.id for thread, _ in rows]
    offers: dict[int, list[RfqOffer]] = {}
    if thread_ids:
        for offer in await session.scalars(
            select(RfqOffer).where(RfqOffer.thread_id.in_(thread_ids)).order_by(RfqOffer.thread_id, RfqOffer.version)
        ):
            offers.setdefault(offer.thread_id, []).append(offer)
    names = await org_names(session, {request.buyer_org_id, *(t.seller_org_id for t, _ in rows)})
    built = [_row(request, t, lot, offers.get(t.id, []), names.get(t.seller_org_id, ""), now) for t, lot in rows]
    built.sort(key=lambda r: (r.thread_status != "open", r.unit_price is None, Decimal(r.unit_price or 0), r.thread_id))
    return schemas.Comparison(
        request=wanted_out(request, names.get(request.buyer_org_id, ""), len(rows), now), rows=built
    )
