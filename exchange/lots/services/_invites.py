"""Telling invited organisations about a private lot they may now see and buy."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.i18n.messages import Msg
from exchange.lots.models import Lot, LotInvite
from exchange.notifications.services import notify
from exchange.runtime import Runtime

__all__ = ["InvitedLot", "invited_org_ids", "lots_inviting", "notify_invited"]


class InvitedLot(msgspec.Struct):
    id: int
    title: str
    ends_at: datetime | None


async def lots_inviting(session: AsyncSession, org_id: int, *, limit: int = 20) -> list[InvitedLot]:
    """The live private lots `org_id` is invited to, closing soonest first."""
    rows = await session.execute(
        select(Lot.id, Lot.title, Lot.ends_at)
        .join(LotInvite, LotInvite.lot_id == Lot.id)
        .where(LotInvite.org_id == org_id, Lot.visibility == "private", Lot.status == "live")
        .order_by(Lot.ends_at.is_(None), Lot.ends_at, Lot.id)
        .limit(limit)
    )
    return [InvitedLot(id=row[0], title=row[1], ends_at=row[2]) for row in rows]


async def invited_org_ids(session: AsyncSession, lot_id: int) -> list[int]:
    return list(await session.scalars(select(LotInvite.org_id).where(LotInvite.lot_id == lot_id)))


async def notify_invited(
    session: AsyncSession, lot: Lot, org_ids: Iterable[int] | None = None, *, runtime: Runtime | None = None
) -> None:
    """Notify the invited organisations (all of the lot's, or `org_ids`) that the private lot is on sale."""
    if lot.visibility != "private" or lot.status != "live":
        return
    for org_id in sorted(set(org_ids if org_ids is not None else await invited_org_ids(session, lot.id))):
        await notify(
            session,
            org_id,
            kind="lot_invitation",
            title=Msg("You are invited to a private lot: {title}", title=lot.title[:150]),
            body=Msg("The seller invited your organisation to see this lot and its price; other buyers cannot see it."),
            link=f"/lots/{lot.id}",
            runtime=runtime,
        )
