"""Server-side sessions in Redis, with a fresh session id at every sign-in (no session fixation).

A session is stored only when it holds something: an anonymous visitor browsing the catalogue gets no
session key in Redis and no session cookie (the CSRF token has a cookie of its own), and the store is
read only for a request that brings a session cookie. So anonymous traffic neither grows Redis (which
the bid engine shares, and which never evicts) nor needs it: while Redis is down, anonymous pages still
work. What an anonymous visitor does keep (a flash message after signing out) lives an hour, not the
14 days of a signed-in session.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.session.base import SessionMiddleware
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.stores.base import Store
from litestar.types import Empty, HTTPResponseBodyEvent, HTTPResponseStartEvent, Message, ScopeSession
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from exchange.accounts.auth import SESSION_USER_KEY
from exchange.errors import redis_unavailable

__all__ = ["ANONYMOUS_SESSION_SECONDS", "RotatingSessionConfig", "rotate_session"]

ANONYMOUS_SESSION_SECONDS = 3600
"""How long the store keeps a session without a signed-in user (a flash message, say)."""

_ROTATE = "exchange.rotate_session"
_NEW_ID = "exchange.new_session_id"


def rotate_session(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Give this visitor a new session id when the response is sent; the old one is deleted."""
    connection.scope[_ROTATE] = True  # type: ignore[literal-required]


class _RotatingSessionBackend(ServerSideSessionBackend):
    def _cookie_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
        value = connection.cookies.get(self.config.key)
        return value if value and value != "null" else None

    async def load_from_connection(self, connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
        if self._cookie_id(connection) is None:
            return {}  # no session to read: the store is not asked
        return await super().load_from_connection(connection)

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        scope: Any = connection.scope
        if scope.get(_ROTATE):
            if _NEW_ID not in scope:
                scope[_NEW_ID] = self.generate_session_id()
            return str(scope[_NEW_ID])
        return super().get_session_id(connection)

    async def set(self, session_id: str, data: bytes, store: Store) -> None:
        signed_in = SESSION_USER_KEY in self.deserialize_data(data)
        await store.set(session_id, data, expires_in=self.config.max_age if signed_in else ANONYMOUS_SESSION_SECONDS)

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        old = self._cookie_id(connection)
        if connection.scope.get(_ROTATE) and old:
            await self.delete(old, store=self.config.get_store_from_app(connection.scope["app"]))
        if not scope_session:  # Empty (cleared) or {}: nothing to keep
            if old:  # forget the stored one and its cookie
                await super().store_in_message(Empty, message, connection)
            return
        await super().store_in_message(scope_session, message, connection)


class _SessionMiddleware(SessionMiddleware[_RotatingSessionBackend]):
    """A session that cannot be stored when the response starts (Redis went down meanwhile, or a visitor
    without a session signs up during an outage) turns the response into a 503 with Retry-After: the
    response has not started yet, but it is too late for the app's exception handlers."""

    def create_send_wrapper(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> Callable[[Message], Awaitable[None]]:
        send = super().create_send_wrapper(connection)
        replaced = False

        async def wrapped_send(message: Message) -> None:
            nonlocal replaced
            if replaced:
                return  # the original body goes nowhere: the 503 was sent whole
            try:
                await send(message)
            except (RedisConnectionError, RedisTimeoutError):
                if message["type"] != "http.response.start":
                    raise
                replaced = True
                error = redis_unavailable()
                headers = [(b"content-type", b"text/plain; charset=utf-8")]
                headers += [(name.lower().encode(), value.encode()) for name, value in error.headers.items()]
                start: HTTPResponseStartEvent = {
                    "type": "http.response.start",
                    "status": error.status_code,
                    "headers": headers,
                }
                await connection.send(start)
                body: HTTPResponseBodyEvent = {
                    "type": "http.response.body",
                    "body": error.detail.encode(),
                    "more_body": False,
                }
                await connection.send(body)

        return wrapped_send


class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = _RotatingSessionBackend

    @property
    def middleware(self) -> DefineMiddleware:
        return DefineMiddleware(_SessionMiddleware, backend=self._backend_class(config=self))
