"""A seller's public profile: who they are, how long they have traded, and what they list and sell."""

from __future__ import annotations

from datetime import datetime

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Org
from exchange.errors import NotFound
from exchange.i18n.messages import Msg
from exchange.lots.models import Lot
from exchange.lots.rules import CLOSED_STATUSES
from exchange.lots.visibility import UNLISTED
from exchange.specs.catalog import get_catalog

__all__ = ["LiveLot", "SellerProfile", "seller_profile"]


class LiveLot(msgspec.Struct):
    id: int
    title: str
    category: str
    category_name: str
    ends_at: datetime | None


class SellerProfile(msgspec.Struct):
    org_id: int
    name: str
    verified: bool
    member_since: datetime
    lots_listed: int
    """Public lots the seller has put on sale (live or since closed); private lots are not counted."""
    lots_sold: int
    categories: list[str]
    """Codes of the categories of those lots, most listed first (pages show them in the reader's language)."""
    live: list[LiveLot]


async def seller_profile(session: AsyncSession, org_id: int, *, live_limit: int = 24) -> SellerProfile:
    """The profile of a seller organisation; 404 for any other id."""
    org = await session.get(Org, org_id)
    if org is None or org.kind != "seller":
        raise NotFound(Msg("There is no seller {seller}.", seller=org_id))
    listed = (Lot.seller_org_id == org_id) & (Lot.visibility == "public") & Lot.status.not_in(UNLISTED)
    counts = (
        await session.execute(select(func.count(), func.count().filter(Lot.status.in_(CLOSED_STATUSES))).where(listed))
    ).one()
    by_category = await session.execute(
        select(Lot.category, func.count())
        .where(listed)
        .group_by(Lot.category)
        .order_by(func.count().desc(), Lot.category)
    )
    codes = [code for code, _ in by_category]
    catalog = get_catalog()
    live_rows = await session.scalars(
        select(Lot)
        .where(listed, Lot.status == "live")
        .order_by(Lot.ends_at.is_(None), Lot.ends_at, Lot.id)
        .limit(live_limit)
    )
    return SellerProfile(
        org_id=org.id,
        name=org.name,
        verified=org.verified,
        member_since=org.created_at,
        lots_listed=int(counts[0] or 0),
        lots_sold=int(counts[1] or 0),
        categories=codes,
        live=[
            LiveLot(
                id=lot.id,
                title=lot.title,
                category=lot.category,
                category_name=catalog.label_of(lot.category),
                ends_at=lot.ends_at,
            )
            for lot in live_rows
        ],
    )
