"""Rate limits on sign-in and token calls, counted in Redis so they hold across worker processes."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request
from litestar.exceptions import TooManyRequestsException
from litestar.middleware.rate_limit import RateLimitConfig, RateLimitMiddleware
from litestar.types import Receive, Scope, Send

__all__ = ["RATE_LIMITED_PATHS", "client_address", "make_rate_limit_config"]

RATE_LIMITED_PATHS = (
    "/api/auth/token",
    "/login",
    "/api/auth/register",
    "/register",
    "/api/me/password",
    "/api/auth/password-reset",
    "/api/auth/password-reset/confirm",
    "/password/forgot",
    "/password/reset",
)
"""The paths of the handlers marked `opt={"rate_limited": True}` (sign-in, token, registration, password
change; one budget per client address for all of them). Every other path
skips the middleware at once: it would otherwise build a request object and ask the store's handler
check on every call of the app, the bid hot path included."""


def client_address(request: Request[Any, Any, Any]) -> str:
    """The peer's address; X-Forwarded-For is believed only when the peer is a configured trusted proxy."""
    peer = request.client.host if request.client else "unknown"
    trusted: frozenset[str] = request.app.state.settings.server.trusted_proxies
    if peer not in trusted:
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):  # the right-most address our proxies did not add is the client
        if hop not in trusted:
            return hop
    return peer


async def _is_rate_limited(request: Request[Any, Any, Any]) -> bool:
    # async: Litestar would run a sync check in a worker thread on every request of the app.
    return bool(request.route_handler.opt.get("rate_limited"))


class RetryAfterRateLimitMiddleware(RateLimitMiddleware):
    """Litestar's limiter, with `Retry-After` on its 429 (it sends only the draft RateLimit-* headers,
    which most clients do not read): the seconds until the client's window resets."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except TooManyRequestsException as refusal:
            headers = dict(refusal.headers or {})
            reset = headers.get(self.config.rate_limit_reset_header_key, "")
            headers.setdefault("Retry-After", str(max(1, int(reset))) if reset.isdigit() else "60")
            refusal.headers = headers
            raise


def make_rate_limit_config(per_minute: int) -> RateLimitConfig:
    return RateLimitConfig(
        rate_limit=("minute", per_minute),
        middleware_class=RetryAfterRateLimitMiddleware,
        identifier_for_request=client_address,
        check_throttle_handler=_is_rate_limited,
        store="rate_limit",
        # Everything but "/" and the rate-limited paths (a pattern that matches "/" too would make
        # Litestar warn that the middleware is excluded everywhere).
        exclude=[r"^/(?!(?:" + "|".join(re.escape(path[1:]) for path in RATE_LIMITED_PATHS) + r")$)."],
    )
