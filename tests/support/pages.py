"""Driving pages in tests: sign in with the session cookie and post forms with the CSRF token."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import DEMO_PASSWORD, Actor

__all__ = ["PageSession"]


class PageSession:
    """One signed-in browser on the shared test client (cookies are cleared before and after)."""

    def __init__(self, client: AsyncTestClient[Litestar]) -> None:
        self.client = client
        self.csrf = ""

    async def sign_in(self, actor: Actor) -> None:
        self.client.cookies.clear()
        await self.client.get("/login")
        self.csrf = self.client.cookies.get("sx_csrf") or ""
        response = await self.client.post(
            "/login",
            data={"email": actor.email, "password": DEMO_PASSWORD, "_csrf_token": self.csrf},
            follow_redirects=False,
        )
        assert response.status_code in (302, 303), response.text

    async def get(self, url: str, **kwargs: Any) -> Any:
        return await self.client.get(url, **kwargs)

    async def post(self, url: str, data: dict[str, Any] | None = None, *, htmx: bool = False, **kwargs: Any) -> Any:
        headers = {"x-csrftoken": self.csrf, **({"hx-request": "true"} if htmx else {})}
        kwargs.setdefault("follow_redirects", False)
        return await self.client.post(url, data=data or {}, headers=headers, **kwargs)

    def close(self) -> None:
        self.client.cookies.clear()
