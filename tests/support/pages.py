"""Driving pages in tests: sign in with the session cookie and post forms with the CSRF token."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import DEMO_PASSWORD, Actor

__all__ = ["PageSession", "page_headers"]


async def _sign_in(client: AsyncTestClient[Litestar], actor: Actor) -> str:
    """Sign `actor` in on a cleared cookie jar; returns the CSRF token (the session cookie is in the jar)."""
    client.cookies.clear()
    await client.get("/login")
    csrf = client.cookies.get("sx_csrf") or ""
    answer = await client.post(
        "/login",
        data={"email": actor.email, "password": DEMO_PASSWORD, "_csrf_token": csrf},
        follow_redirects=False,
    )
    assert answer.status_code in (302, 303), answer.text
    return csrf


class PageSession:
    """One signed-in browser on the shared test client (cookies are cleared before and after)."""

    def __init__(self, client: AsyncTestClient[Litestar]) -> None:
        self.client = client
        self.csrf = ""

    async def sign_in(self, actor: Actor) -> None:
        self.csrf = await _sign_in(self.client, actor)

    async def get(self, url: str, **kwargs: Any) -> Any:
        return await self.client.get(url, **kwargs)

    async def post(self, url: str, data: dict[str, Any] | None = None, *, htmx: bool = False, **kwargs: Any) -> Any:
        headers = {"x-csrftoken": self.csrf, **({"hx-request": "true"} if htmx else {}), **kwargs.pop("headers", {})}
        kwargs.setdefault("follow_redirects", False)
        return await self.client.post(url, data=data or {}, headers=headers, **kwargs)

    def close(self) -> None:
        self.client.cookies.clear()


async def page_headers(client: AsyncTestClient[Litestar], actor: Actor) -> dict[str, str]:
    """Headers that make page requests (GET and form POST) as `actor`; the client's cookie jar stays empty."""
    csrf = await _sign_in(client, actor)
    session = client.cookies.get("sx_session") or ""
    client.cookies.clear()
    return {"Cookie": f"sx_session={session}; sx_csrf={csrf}", "x-csrftoken": csrf}
