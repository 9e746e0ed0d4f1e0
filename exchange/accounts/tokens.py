"""Bearer tokens: HMAC-signed, stateless, with an expiry (no database read to check one)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

__all__ = ["TOKEN_LIFETIME_SECONDS", "issue_token", "read_token"]

TOKEN_LIFETIME_SECONDS = 24 * 3600
_PREFIX = "sx1"


def _sign(secret: str, payload: str) -> str:
    digest = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue_token(secret: str, user_id: int, *, now: float | None = None, lifetime: int = TOKEN_LIFETIME_SECONDS) -> str:
    expires = int((now if now is not None else time.time()) + lifetime)
    payload = f"{_PREFIX}.{user_id}.{expires}"
    return f"{payload}.{_sign(secret, payload)}"


def read_token(secret: str, token: str, *, now: float | None = None) -> int | None:
    """The user id a valid, unexpired token was issued to, else None."""
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != _PREFIX:
        return None
    payload = ".".join(parts[:3])
    if not hmac.compare_digest(_sign(secret, payload), parts[3]):
        return None
    try:
        user_id, expires = int(parts[1]), int(parts[2])
    except ValueError:
        return None
    if expires < (now if now is not None else time.time()):
        return None
    return user_id
