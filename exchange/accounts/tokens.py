"""Bearer tokens: HMAC-signed, stateless, with an expiry (no database read to check one)."""

from __future__ import annotations

import base64
import hmac
import time

__all__ = ["TOKEN_LIFETIME_SECONDS", "TokenReader", "issue_token"]

TOKEN_LIFETIME_SECONDS = 24 * 3600
_PREFIX = "sx1"
_READER_CACHE_SIZE = 10_000


def _sign(secret: str, payload: str) -> str:
    digest = hmac.digest(secret.encode(), payload.encode(), "sha256")
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue_token(secret: str, user_id: int, *, now: float | None = None, lifetime: int = TOKEN_LIFETIME_SECONDS) -> str:
    expires = int((now if now is not None else time.time()) + lifetime)
    payload = f"{_PREFIX}.{user_id}.{expires}"
    return f"{payload}.{_sign(secret, payload)}"


def _signed_claims(secret: str, token: str) -> tuple[int, int] | None:
    """(user id, expiry) of a token whose signature is right, else None; the expiry is not checked."""
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != _PREFIX:
        return None
    payload = ".".join(parts[:3])
    if not hmac.compare_digest(_sign(secret, payload), parts[3]):
        return None
    try:
        return int(parts[1]), int(parts[2])
    except ValueError:
        return None


class TokenReader:
    """The user id a valid, unexpired token was issued to, else None; for one secret, remembering the
    tokens whose signature it has checked.

    A client sends the same token on every call until it expires; its signature is checked once and
    its expiry on every call. Only well-signed tokens are kept, so garbage cannot fill the memory."""

    def __init__(self, secret: str) -> None:
        self._secret = secret
        self._checked: dict[str, tuple[int, int]] = {}

    def __call__(self, token: str, *, now: float | None = None) -> int | None:
        claims = self._checked.get(token)
        if claims is None:
            claims = _signed_claims(self._secret, token)
            if claims is None:
                return None
            if len(self._checked) >= _READER_CACHE_SIZE:
                self._checked.clear()
            self._checked[token] = claims
        if claims[1] < (now if now is not None else time.time()):
            return None
        return claims[0]
