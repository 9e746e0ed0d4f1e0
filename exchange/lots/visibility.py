"""Who may see a lot. A private lot does not exist for anyone but its seller, invited orgs and admins.

`may_see_lot` is the rule, defined once; `visible_lots_clause` is the same rule as SQL, and the bid
engine's scripts (place_bid.lua, withdraw_bid.lua, purchase.lua: a private lot is NOT_FOUND for an org
neither selling nor invited) apply it to listed lots, the only ones it loads (`UNLISTED` never are).
tests/integration/lots/test_visibility_paths.py holds the three to one table.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.lots.errors import lot_not_found
from exchange.lots.models import Lot, LotInvite

__all__ = ["UNLISTED", "get_visible_lot", "may_see_lot", "visible_lots_clause"]

UNLISTED = ("draft", "in_review")
"""Statuses in which a lot is seen only by its seller and administrators."""


def may_see_lot(
    principal: Principal | None, *, seller_org_id: int, visibility: str, status: str, invited: bool
) -> bool:
    """Whether this caller may see a lot (`invited`: their org is on its invitation list)."""
    if principal is not None and principal.is_admin:
        return True
    org_id = principal.org_id if principal is not None else None
    if org_id is not None and org_id == seller_org_id:
        return True
    if status in UNLISTED:
        return False
    return visibility == "public" or (org_id is not None and invited)


def visible_lots_clause(principal: Principal | None) -> Any:
    """`may_see_lot` as a WHERE clause: the lots this caller may see (drafts and reviews only to their seller)."""
    public_and_listed = (Lot.visibility == "public") & Lot.status.not_in(UNLISTED)
    if principal is None:
        return public_and_listed
    if principal.is_admin:
        return True
    if principal.org_id is None:
        return public_and_listed
    invited = exists().where(LotInvite.lot_id == Lot.id, LotInvite.org_id == principal.org_id)
    private_invited = (Lot.visibility == "private") & Lot.status.not_in(UNLISTED) & invited
    return or_(Lot.seller_org_id == principal.org_id, public_and_listed, private_invited)


async def get_visible_lot(
    session: AsyncSession, principal: Principal | None, lot_id: int, *, for_update: bool = False
) -> Lot:
    """The lot, or a 404 that reads the same whether it does not exist or is not visible to the caller."""
    query = select(Lot).where(Lot.id == lot_id, visible_lots_clause(principal))
    if for_update:
        query = query.with_for_update()
    lot = await session.scalar(query)
    if lot is None:
        raise lot_not_found(lot_id)
    return lot
