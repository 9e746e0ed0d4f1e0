"""The ledger's scheduled job: expire due holds, each exactly once (a conditional UPDATE on its status)."""

from __future__ import annotations

from sqlalchemy import select

from exchange.ledger.models import LedgerHold
from exchange.ledger.services import expire_hold
from exchange.runtime import Runtime
from exchange.scheduler import Job

__all__ = ["EXPIRE_EVERY_SECONDS", "JOBS", "expire_holds"]

EXPIRE_EVERY_SECONDS = 30.0
BATCH = 500


async def expire_holds(runtime: Runtime) -> int:
    """Expire every pending hold whose expiry has passed; returns how many this call expired."""
    now = runtime.clock.now()
    expired = 0
    while True:
        async with runtime.session_maker() as session:
            due = list(
                await session.scalars(
                    select(LedgerHold.id)
                    .where(LedgerHold.status == "pending", LedgerHold.expires_at <= now)
                    .order_by(LedgerHold.expires_at, LedgerHold.id)
                    .limit(BATCH)
                )
            )
        for hold_id in due:
            async with runtime.session_maker() as session, session.begin():
                if await expire_hold(session, hold_id, now) is not None:
                    expired += 1
        if len(due) < BATCH:
            return expired


JOBS = (Job("ledger.expire-holds", EXPIRE_EVERY_SECONDS, expire_holds),)
