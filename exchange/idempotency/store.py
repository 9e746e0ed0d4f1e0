"""Reading and keeping first answers, inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.idempotency.keys import key_reused
from exchange.idempotency.models import IdempotentAnswer

__all__ = ["remember", "replay"]


async def replay(
    session: AsyncSession, org_id: int, scope: str, key: str, request_hash: str
) -> IdempotentAnswer | None:
    """The stored first answer for this key, if any; 422 when the key came with a different request."""
    answer = await session.get(IdempotentAnswer, (org_id, scope, key), populate_existing=True)
    if answer is not None and answer.request_hash != request_hash:
        raise key_reused()
    return answer


async def remember(
    session: AsyncSession,
    org_id: int,
    scope: str,
    key: str,
    request_hash: str,
    status_code: int,
    body: dict[str, Any],
) -> None:
    """Keep the answer with the caller's transaction (flushed now: a twin that got there first fails here)."""
    session.add(
        IdempotentAnswer(
            org_id=org_id, scope=scope, key=key, request_hash=request_hash, status_code=status_code, body=body
        )
    )
    await session.flush()
