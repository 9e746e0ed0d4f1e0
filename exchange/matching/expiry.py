"""Proposals past their validity date become `expired`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.matching.models import Proposal

__all__ = ["expire_due_proposals"]


async def expire_due_proposals(session: AsyncSession, now: datetime) -> int:
    """Mark every sent proposal whose `valid_until` has passed as expired; returns how many.

    One conditional UPDATE (status sent → expired): a proposal accepted or declined meanwhile keeps its state,
    and several schedulers running it at once change each proposal once.
    """
    result = await session.execute(
        update(Proposal)
        .where(Proposal.status == "sent", Proposal.valid_until <= now)
        .values(status="expired", decided_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
