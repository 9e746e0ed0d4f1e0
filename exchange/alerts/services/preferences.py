""" "Lots like the ones you buy": a buyer's preference profile from their own history (bids, purchases, RFQs,
accepted quotes) and the live lots it suggests, each with the reason shown."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.alerts import rules, schemas
from exchange.alerts.services._common import as_member_of
from exchange.alerts.services.saved_searches import alert_settings
from exchange.auctions.models import Bid
from exchange.lots.index import index_rows
from exchange.lots.models import Lot
from exchange.lots.visibility import visible_lots_clause
from exchange.money import format_minor
from exchange.orders.models import Order
from exchange.rfq.models import RfqThread
from exchange.specs.catalog import CategoryLabel

__all__ = ["HISTORY", "buyer_profile", "suggestions_for"]

HISTORY = 200
"""The most recent lots of a buyer's history the profile reads."""
CANDIDATES = 300
"""The newest live lots in the buyer's categories that suggestions are picked from."""


def _numbers(lot: Lot) -> dict[str, float]:
    spec_rows, _terms = index_rows(lot.id, {"category": lot.category, "specs": lot.specs, "title": ""})
    return {row["key"]: row["num_value"] for row in spec_rows if row["num_value"] is not None}


def _unit(amount: int | None, lot: Lot) -> Decimal | None:
    return rules.unit_price(amount, Decimal(lot.quantity_value)) if amount is not None else None


def _profile_lot(lot: Lot, amount: int | None, how: str) -> rules.ProfileLot:
    return rules.ProfileLot(
        category=lot.category,
        grade=lot.grade,
        unit_price_minor=_unit(amount, lot),
        region=lot.location_region,
        numbers=_numbers(lot),
        how=how,
    )


async def _history(session: AsyncSession, org_id: int) -> tuple[list[rules.ProfileLot], set[int]]:
    paid = dict(
        (await session.execute(select(Order.lot_id, Order.amount_minor).where(Order.buyer_org_id == org_id))).all()
    )
    bid = dict(
        (
            await session.execute(
                select(Bid.lot_id, Bid.amount_minor).where(Bid.bidder_org_id == org_id, Bid.amount_minor.is_not(None))
            )
        ).all()
    )
    ids = union(
        select(Order.lot_id).where(Order.buyer_org_id == org_id),
        select(Bid.lot_id).where(Bid.bidder_org_id == org_id, Bid.amount_minor.is_not(None)),
        select(RfqThread.lot_id).where(RfqThread.buyer_org_id == org_id),
    ).subquery()
    lots = list(
        await session.scalars(select(Lot).where(Lot.id.in_(select(ids.c[0]))).order_by(Lot.id.desc()).limit(HISTORY))
    )
    history = []
    for lot in lots:
        if lot.id in paid:
            history.append(_profile_lot(lot, paid[lot.id], "bought"))
        elif lot.id in bid:
            history.append(_profile_lot(lot, bid[lot.id], "bid"))
        else:
            history.append(_profile_lot(lot, lot.price_minor or lot.min_bid_minor, "rfq"))
    return history, {lot.id for lot in lots}


async def buyer_profile(session: AsyncSession, org_id: int) -> rules.Profile | None:
    history, _ids = await _history(session, org_id)
    return rules.profile_of(history)


async def suggestions_for(session: AsyncSession, org_id: int, *, limit: int = 5) -> schemas.SuggestionList:
    """Up to `limit` live lots the org may see, in its categories and like what it dealt in (none it already
    dealt in, none of its own), newest first, each with its reason; empty when the buyer turned them off."""
    settings = await alert_settings(session, org_id)
    if not settings.suggestions_enabled:
        return schemas.SuggestionList(items=[], enabled=False)
    history, seen = await _history(session, org_id)
    profile = rules.profile_of(history)
    if profile is None:
        return schemas.SuggestionList(items=[], enabled=True)
    candidates = await session.scalars(
        select(Lot)
        .where(
            Lot.status == "live",
            Lot.category.in_(list(profile.categories)),
            Lot.grade.in_(sorted(profile.grades)),
            Lot.seller_org_id != org_id,
            visible_lots_clause(as_member_of(org_id)),
        )
        .order_by(Lot.published_at.desc(), Lot.id.desc())
        .limit(CANDIDATES)
    )
    items: list[schemas.Suggestion] = []
    for lot in candidates:
        if lot.id in seen:
            continue
        price = lot.price_minor if lot.price_minor is not None else lot.min_bid_minor
        reason = rules.suggestion_reason(profile, _profile_lot(lot, price, "live"), CategoryLabel(lot.category))
        if reason is None:
            continue
        items.append(
            schemas.Suggestion(
                lot_id=lot.id,
                title=lot.title,
                category=lot.category,
                grade=lot.grade,
                price=format_minor(price, lot.currency),
                currency=lot.currency,
                reason=reason,
                link=f"/lots/{lot.id}",
            )
        )
        if len(items) >= limit:
            break
    return schemas.SuggestionList(items=items, enabled=True)
