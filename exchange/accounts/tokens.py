"""Bearer tokens: HMAC-signed, with an expiry and the user's token epoch (no database read to check one).

A token is `sx2.<user id>.<epoch>.<expiry>.<random id>.<signature>` (the random id tells apart two
tokens issued to one user in the same second, so signing one out leaves the other). Revocation is
checked against the user's principal (auth.py): a token is dead when its epoch is older than the
user's (a password change raises it) or its digest is in the user's revoked list (signing it out).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

import msgspec

__all__ = ["TOKEN_LIFETIME_SECONDS", "TokenClaims", "TokenReader", "issue_token", "token_digest"]

TOKEN_LIFETIME_SECONDS = 24 * 3600
_PREFIX = "sx2"
_READER_CACHE_SIZE = 10_000


class TokenClaims(msgspec.Struct, frozen=True):
    user_id: int
    epoch: int
    expires: int
    digest: str
    """SHA-256 of the whole token: what a revocation stores (never the token, which would sign in)."""


def _sign(secret: str, payload: str) -> str:
    digest = hmac.digest(secret.encode(), payload.encode(), "sha256")
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    secret: str,
    user_id: int,
    *,
    epoch: int = 0,
    now: float | None = None,
    lifetime: int = TOKEN_LIFETIME_SECONDS,
) -> str:
    expires = int((now if now is not None else time.time()) + lifetime)
    payload = f"{_PREFIX}.{user_id}.{epoch}.{expires}.{secrets.token_urlsafe(9)}"
    return f"{payload}.{_sign(secret, payload)}"


def _signed_claims(secret: str, token: str) -> TokenClaims | None:
    """The claims of a token whose signature is right, else None; the expiry is not checked."""
    parts = token.split(".")
    if len(parts) != 6 or parts[0] != _PREFIX:
        return None
    payload = ".".join(parts[:5])
    if not hmac.compare_digest(_sign(secret, payload), parts[5]):
        return None
    try:
        return TokenClaims(int(parts[1]), int(parts[2]), int(parts[3]), token_digest(token))
    except ValueError:
        return None


class TokenReader:
    """The claims of a valid, unexpired token, else None; for one secret, remembering the tokens whose
    signature it has checked.

    A client sends the same token on every call until it expires; its signature (and digest) is worked
    out once and its expiry checked on every call. Only well-signed tokens are kept, so garbage cannot
    fill the memory."""

    def __init__(self, secret: str) -> None:
        self._secret = secret
        self._checked: dict[str, TokenClaims] = {}

    def __call__(self, token: str, *, now: float | None = None) -> TokenClaims | None:
        claims = self._checked.get(token)
        if claims is None:
            claims = _signed_claims(self._secret, token)
            if claims is None:
                return None
            if len(self._checked) >= _READER_CACHE_SIZE:
                self._checked.clear()
            self._checked[token] = claims
        if claims.expires < (now if now is not None else time.time()):
            return None
        return claims
