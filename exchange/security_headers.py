"""Browser hardening headers on every response: pages, API, static files, errors and streams.

A `before_send` hook rather than a middleware: Litestar runs middleware per route, so a 404 for an
unknown path, a 405 or an error answered by the exception handlers would go out without them. A
handler that sets one of these headers itself keeps its own (a lot document's sandbox policy).
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

__all__ = ["PAGE_POLICY", "add_security_headers"]

# Our pages load only our own scripts, styles and images (htmx is vendored under /static; no inline
# scripts, handlers or style attributes); SSE and htmx requests go to the same origin.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The API reference (/schema) is Litestar's Scalar page: its script and stylesheet come from a CDN
# and it styles itself inline. It holds no user data; it still may not be framed.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    "font-src 'self' data: https:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
_COMMON = (
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
)


async def add_security_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    policy = DOCS_POLICY if scope.get("path", "").startswith("/schema") else PAGE_POLICY
    for name, value in (("content-security-policy", policy), *_COMMON):
        if name not in headers:
            headers[name] = value
