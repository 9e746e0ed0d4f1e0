"""The disputes' one call site into the audit log: every state change of a dispute appends a record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit import record
from exchange.disputes.models import Dispute
from exchange.orders.rules import Actor

__all__ = ["dispute_changed"]


def _state(dispute: Dispute) -> dict[str, Any]:
    return {
        "status": dispute.status,
        "order_id": dispute.order_id,
        "claimed_refund_minor": dispute.claimed_refund_minor,
        "offer_minor": dispute.offer_minor,
        "outcome": dispute.outcome,
        "refund_minor": dispute.refund_minor,
    }


async def dispute_changed(
    session: AsyncSession, dispute: Dispute, action: str, actor: Actor, at: datetime, *, before: str | None
) -> None:
    """Append the audit record of `dispute` moving from status `before` (None: just opened) by `action`,
    in the caller's transaction."""
    await record(
        session,
        actor=actor.ref,
        object_type="dispute",
        object_id=dispute.id,
        action=action,
        before={"status": before} if before is not None else None,
        after=_state(dispute),
        at=at,
    )
