"""Who may see a lot. A private lot does not exist for anyone but its seller, invited orgs and admins."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.lots.errors import lot_not_found
from exchange.lots.models import Lot, LotInvite

__all__ = ["get_visible_lot", "visible_lots_clause"]


def visible_lots_clause(principal: Principal | None) -> Any:
    """A WHERE clause for the lots this caller may see (drafts and reviews only to their seller)."""
    public_and_listed = (Lot.visibility == "public") & Lot.status.not_in(("draft", "in_review"))
    if principal is None:
        return public_and_listed
    if principal.is_admin:
        return True
    if principal.org_id is None:
        return public_and_listed
    invited = exists().where(LotInvite.lot_id == Lot.id, LotInvite.org_id == principal.org_id)
    private_invited = (Lot.visibility == "private") & Lot.status.not_in(("draft", "in_review")) & invited
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
