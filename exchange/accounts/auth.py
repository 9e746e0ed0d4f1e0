"""Authentication middleware: a Bearer token on the API, the session cookie on pages.

The API never reads the session cookie, so the CSRF exemption of /api stays safe.

Revocation: a token or session is accepted only while its epoch is the user's current one and (a
token) its digest is not in the user's revoked list; both come with the principal, so checking them
costs no round trip. Another worker's principal cache may hold the old epoch and list for up to
PRINCIPAL_CACHE_SECONDS: that is how long a revoked token or session can still be used on another
worker. The worker that revokes forgets the user's entry at once.
"""

from __future__ import annotations

import random
import time

from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from exchange.accounts.errors import BAD_TOKEN
from exchange.accounts.guards import bearer_challenge
from exchange.accounts.principal import Principal
from exchange.accounts.services import load_principal
from exchange.accounts.tokens import TokenReader
from exchange.errors import Unauthorized

__all__ = [
    "SESSION_EPOCH_KEY",
    "SESSION_USER_KEY",
    "AuthMiddleware",
    "PrincipalCache",
    "session_for",
]

SESSION_USER_KEY = "uid"
SESSION_EPOCH_KEY = "ep"


def session_for(user_id: int, token_epoch: int) -> dict[str, int]:
    """What a signed-in page session holds: the user and the epoch it was signed in at."""
    return {SESSION_USER_KEY: user_id, SESSION_EPOCH_KEY: token_epoch}


PRINCIPAL_CACHE_SECONDS = 30.0
"""Longest a change to a user or org (admin role, removal) takes to reach calls already signed in."""
PRINCIPAL_CACHE_SPREAD = 0.25
"""Each entry lives between 75 % and 100 % of PRINCIPAL_CACHE_SECONDS, at random: users who signed in
together (a burst after a restart) are read again spread out, not in one burst of database reads."""
_PRINCIPAL_CACHE_SIZE = 10_000


class PrincipalCache:
    """Verified (and admin) principals kept for a few seconds: one database read less per API call.

    Only settled principals are kept. Verification only ever turns an org from unverified to verified,
    so an unverified principal is always read afresh and a newly verified org can trade at once. One
    cache per app, since user ids belong to one database.
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[float, Principal]] = {}

    def get(self, user_id: int, *, now: float | None = None) -> Principal | None:
        entry = self._entries.get(user_id)
        if entry is None or entry[0] < (time.monotonic() if now is None else now):
            return None
        return entry[1]

    def remember(self, principal: Principal, *, now: float | None = None) -> None:
        if not (principal.is_admin or principal.org_verified):
            return
        if len(self._entries) >= _PRINCIPAL_CACHE_SIZE:
            self._entries.clear()
        lifetime = PRINCIPAL_CACHE_SECONDS * (1 - PRINCIPAL_CACHE_SPREAD * random.random())
        self._entries[principal.user_id] = ((time.monotonic() if now is None else now) + lifetime, principal)

    def forget(self, user_id: int) -> None:
        """Read the user afresh on their next call (after a revocation in this worker)."""
        self._entries.pop(user_id, None)


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" else ""
    return None


class AuthMiddleware(ASGIMiddleware):
    """Puts the caller's Principal (or None) in `scope["user"]`; a bad Bearer token is a 401 at once."""

    scopes = ("http",)  # type: ignore[assignment]

    def __init__(self, tokens: TokenReader, principals: PrincipalCache) -> None:
        self.tokens = tokens
        self.principals = principals

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        scope["auth"] = None
        scope["user"] = await self._principal(scope)
        await next_app(scope, receive, send)

    async def _principal(self, scope: Scope) -> Principal | None:
        path: str = scope.get("path", "")
        if path.startswith("/api") or (path.startswith("/events") and _bearer(scope) is not None):
            return await self._token_principal(scope)  # API clients follow live events with their token
        session = scope.get("session")
        if not isinstance(session, dict):
            return None
        user_id, epoch = session.get(SESSION_USER_KEY), session.get(SESSION_EPOCH_KEY, 0)
        if not isinstance(user_id, int):
            return None
        principal = await self._load(scope, user_id)
        # A session signed in before the password changed (another browser) is signed out.
        return principal if principal is not None and principal.token_epoch == epoch else None

    async def _token_principal(self, scope: Scope) -> Principal | None:
        token = _bearer(scope)
        if token is None:
            return None
        claims = self.tokens(token)
        if claims is None:
            raise _bad_token("The access token is invalid or has expired. Get a new one from /api/auth/token.")
        principal = await self._load(scope, claims.user_id)
        if principal is None:
            raise _bad_token("This account no longer exists.")
        if claims.epoch != principal.token_epoch or claims.digest in principal.revoked_tokens:
            raise _bad_token("This access token was signed out. Get a new one from /api/auth/token.")
        scope["auth"] = claims
        return principal

    async def _load(self, scope: Scope, user_id: int) -> Principal | None:
        principal = self.principals.get(user_id)
        if principal is not None:
            return principal
        async with scope["app"].state.session_maker() as db:
            principal = await load_principal(db, user_id)
        if principal is not None:
            self.principals.remember(principal)
        return principal


def _bad_token(detail: str) -> Unauthorized:
    return Unauthorized(detail, code=BAD_TOKEN, title="Invalid token", headers=bearer_challenge(invalid_token=True))
