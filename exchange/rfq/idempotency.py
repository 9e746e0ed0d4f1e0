"""Idempotency-Key for accepting an offer: a repeat with the same key gets the first answer, changing nothing.

Keys are scoped to (org, key, route). Only successful answers are kept: a refused call changed nothing,
so repeating it simply asks again.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.errors import Unprocessable
from exchange.rfq.models import IdempotentAnswer

__all__ = ["HEADER", "check_key", "fingerprint", "remember", "replay"]

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


def check_key(raw: str | None) -> str | None:
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise Unprocessable(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters (a UUID is ideal).", field=HEADER
        )
    return key


def fingerprint(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


async def replay(
    session: AsyncSession, org_id: int, key: str, route: str, request_hash: str
) -> IdempotentAnswer | None:
    """The stored first answer for this key, if any; 422 when the key was used for a different request."""
    answer = await session.get(IdempotentAnswer, (org_id, key, route), populate_existing=True)
    if answer is not None and answer.request_hash != request_hash:
        raise Unprocessable(
            f"This {HEADER} was already used for a different request; use a new key.",
            field=HEADER,
            code="idempotency_key_reused",
        )
    return answer


async def remember(
    session: AsyncSession, org_id: int, key: str, route: str, request_hash: str, status_code: int, body: dict[str, Any]
) -> None:
    session.add(
        IdempotentAnswer(
            org_id=org_id, key=key, route=route, request_hash=request_hash, status_code=status_code, body=body
        )
    )
    await session.flush()
