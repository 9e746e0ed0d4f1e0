"""The brokers' desk's periodic jobs: expire sent proposals past their validity date.

Correctness does not wait for it (accepting checks the validity date itself); it makes the status show on time.
"""

from __future__ import annotations

from exchange.matching.expiry import expire_due_proposals
from exchange.runtime import Runtime
from exchange.scheduler import Job

__all__ = ["JOBS", "PROPOSAL_EXPIRY_EVERY_SECONDS"]

PROPOSAL_EXPIRY_EVERY_SECONDS = 30.0


async def expire_proposals(runtime: Runtime) -> None:
    async with runtime.session_maker() as session, session.begin():
        await expire_due_proposals(session, runtime.clock.now())


JOBS = (Job("matching.expire-proposals", PROPOSAL_EXPIRY_EVERY_SECONDS, expire_proposals),)
