"""What the document needs to know about each API operation's handler: auth, domain, rate limit."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

__all__ = ["Operation", "operations_of"]


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str
    handler: HTTPRouteHandler
    auth: str
    """"required" (a guard asks for a signed-in caller), "optional" (a token shows more) or "none"."""
    domain: str
    """The capability package of the handler (`lots`, `rfq`, ...): its errors.py holds the codes it may answer."""
    rate_limited: bool


def _auth(handler: HTTPRouteHandler) -> str:
    if handler.resolve_guards():
        return "required"
    try:
        source = inspect.getsource(handler.fn)
    except (OSError, TypeError):  # pragma: no cover - handlers are plain functions
        return "none"
    if "current_principal(" in source:
        return "required"
    return "optional" if "optional_principal(" in source else "none"


def _domain(handler: HTTPRouteHandler) -> str:
    parts = handler.fn.__module__.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "exchange" else ""


def operations_of(app: Litestar) -> dict[tuple[str, str], Operation]:
    """Every documented operation of the app, by (lower-case method, path as the document writes it)."""
    found: dict[tuple[str, str], Operation] = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema():
                continue
            opt: dict[str, Any] = handler.opt or {}
            for method in handler.http_methods:
                found[(method.lower(), route.path_format or "/")] = Operation(
                    method=method.lower(),
                    path=route.path_format or "/",
                    handler=handler,
                    auth=_auth(handler),
                    domain=_domain(handler),
                    rate_limited=bool(opt.get("rate_limited")),
                )
    return found
