"""Authentication middleware: a Bearer token on the API, the session cookie on pages.

The API never reads the session cookie, so the CSRF exemption of /api stays safe.
"""

from __future__ import annotations

import random
import time

from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from exchange.accounts.principal import Principal
from exchange.accounts.services import load_principal
from exchange.accounts.tokens import TokenReader
from exchange.errors import Unauthorized

__all__ = ["SESSION_USER_KEY", "AuthMiddleware", "PrincipalCache"]

SESSION_USER_KEY = "uid"

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
        scope["user"] = await self._principal(scope)
        scope["auth"] = None
        await next_app(scope, receive, send)

    async def _principal(self, scope: Scope) -> Principal | None:
        path: str = scope.get("path", "")
        user_id: int | None = None
        if path.startswith("/api"):
            token = _bearer(scope)
            if token is None:
                return None
            user_id = self.tokens(token)
            if user_id is None:
                raise Unauthorized(
                    "The access token is invalid or has expired. Get a new one from /api/auth/token.",
                    code="bad_token",
                    title="Invalid token",
                )
        else:
            session = scope.get("session")
            if isinstance(session, dict):
                raw = session.get(SESSION_USER_KEY)
                user_id = raw if isinstance(raw, int) else None
        if user_id is None:
            return None
        principal = self.principals.get(user_id)
        if principal is not None:
            return principal
        async with scope["app"].state.session_maker() as db:
            principal = await load_principal(db, user_id)
        if principal is not None:
            self.principals.remember(principal)
        if principal is None and path.startswith("/api"):
            raise Unauthorized("This account no longer exists.", code="bad_token", title="Invalid token")
        return principal
