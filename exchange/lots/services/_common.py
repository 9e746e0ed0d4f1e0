"""What the lot services share: finding the caller's own lot, and status changes as conditional UPDATEs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.audit import record
from exchange.errors import Conflict, Forbidden
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.lots.errors import LOT_STATE_CHANGED, NOT_YOUR_LOT
from exchange.lots.models import Lot
from exchange.lots.rules import status_words
from exchange.lots.visibility import get_visible_lot

__all__ = ["aware", "own_lot", "transition"]


def aware(moment: datetime) -> datetime:
    """Times from SQLite may come back naive; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def own_lot(session: AsyncSession, principal: Principal, lot_id: int) -> Lot:
    """The caller's organisation's lot; 404 when they cannot see it, 403 when they see it but do not own it."""
    lot = await get_visible_lot(session, principal, lot_id)
    if lot.seller_org_id != principal.org_id:
        raise Forbidden(N_("Only the seller that posted this lot can change it."), code=NOT_YOUR_LOT)
    return lot


async def transition(
    session: AsyncSession,
    lot: Lot,
    from_statuses: tuple[str, ...],
    *,
    action: str,
    actor: str,
    at: datetime,
    **values: Any,
) -> None:
    """Move the lot on only if it is still in one of `from_statuses` (a racing change makes this a 409),
    and append `action` by `actor` to the audit log (before: the status; after: the values set)."""
    before = lot.status
    result = await session.execute(
        update(Lot)
        .where(Lot.id == lot.id, Lot.status.in_(from_statuses))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 1) != 1:
        await session.refresh(lot)
        raise Conflict(
            Msg("This lot is now {status}; reload it and try again.", status=Msg(status_words(lot.status))),
            code=LOT_STATE_CHANGED,
            title="Lot changed meanwhile",
        )
    await session.refresh(lot)
    await record(
        session,
        actor=actor,
        object_type="lot",
        object_id=lot.id,
        action=action,
        before={"status": before},
        after=values,
        at=at,
    )
