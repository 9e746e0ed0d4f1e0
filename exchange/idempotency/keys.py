"""The `Idempotency-Key` header: its OpenAPI parameter, its validation, and the request fingerprint."""

from __future__ import annotations

import hashlib
from typing import Annotated

from litestar.params import HeaderParameter

from exchange.errors import Unprocessable
from exchange.idempotency.errors import IDEMPOTENCY_KEY_REUSED

__all__ = ["HEADER", "MAX_KEY_LENGTH", "IdempotencyKeyHeader", "check_key", "fingerprint", "key_reused"]

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200

IdempotencyKeyHeader = Annotated[
    str | None,
    HeaderParameter(
        name=HEADER,
        required=False,
        description="Repeat a call with the same key to get the first answer again; nothing changes twice. "
        f"1 to {MAX_KEY_LENGTH} visible ASCII characters (a UUID is a good choice).",
    ),
]


def check_key(raw: str | None) -> str | None:
    """The header's value without surrounding blanks, or None when absent; a 422 naming the header when
    it is empty, too long or not visible ASCII."""
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or any(not 33 <= ord(ch) <= 126 for ch in key):
        raise Unprocessable(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} visible ASCII characters (a UUID is a good choice).",
            field=HEADER,
        )
    return key


def fingerprint(*parts: object) -> str:
    """What makes two requests "the same" for a scope (e.g. the lot bought), as a SHA-256 hex digest."""
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()


def key_reused() -> Unprocessable:
    return Unprocessable(
        f"This {HEADER} was already used for a different request; use a new key.",
        field=HEADER,
        code=IDEMPOTENCY_KEY_REUSED,
    )
