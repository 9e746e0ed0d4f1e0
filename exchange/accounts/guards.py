"""Guards later capabilities reuse: signed in, org kind, verified org, admin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from exchange.accounts.errors import ADMIN_ONLY, ORG_NOT_VERIFIED, WRONG_ORG_KIND
from exchange.accounts.principal import Principal
from exchange.errors import Forbidden, Unauthorized
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg

__all__ = [
    "bearer_challenge",
    "current_principal",
    "requires_admin",
    "requires_org_kind",
    "requires_signed_in",
    "requires_verified_org",
]

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]
REALM = "exchange"


def bearer_challenge(*, invalid_token: bool = False) -> dict[str, str]:
    """The WWW-Authenticate header of an API 401 (RFC 6750): the realm, and why a token was refused.

    (Pages turn a 401 into a redirect to the sign-in page; the header does no harm there.)"""
    challenge = f'Bearer realm="{REALM}"' + (', error="invalid_token"' if invalid_token else "")
    return {"WWW-Authenticate": challenge}


def current_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    principal = connection.scope.get("user")
    if not isinstance(principal, Principal):
        raise Unauthorized(
            N_("Sign in first: send `Authorization: Bearer <token>` (get one from POST /api/auth/token)."),
            headers=bearer_challenge(),
        )
    return principal


def requires_signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    current_principal(connection)


def requires_admin(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if not current_principal(connection).is_admin:
        raise Forbidden(N_("Only platform administrators can do this."), code=ADMIN_ONLY)


def requires_org_kind(*kinds: str) -> Guard:
    wanted = " or ".join(kinds)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if current_principal(connection).org_kind not in kinds:
            raise Forbidden(Msg("Only {kinds} organisations can do this.", kinds=wanted), code=WRONG_ORG_KIND)

    return guard


def requires_verified_org(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    principal = current_principal(connection)
    if principal.org_id is None or not principal.org_verified:
        raise Forbidden(
            "Your organisation is not verified yet. An administrator verifies new organisations; "
            "until then you can browse but not publish, bid, buy or accept quotes.",
            code=ORG_NOT_VERIFIED,
        )
