"""Signing in to the HTML pages (session cookie + CSRF) without leaving the shared client signed in."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import DEMO_PASSWORD, Actor

__all__ = ["page_headers"]


async def page_headers(client: AsyncTestClient[Litestar], actor: Actor) -> dict[str, str]:
    """Headers that make page requests (GET and form POST) as `actor`; the client's cookie jar stays empty."""
    client.cookies.clear()
    await client.get("/login")
    csrf = client.cookies.get("sx_csrf") or ""
    answer = await client.post(
        "/login",
        data={"email": actor.email, "password": DEMO_PASSWORD, "_csrf_token": csrf},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    session = client.cookies.get("sx_session") or ""
    client.cookies.clear()
    return {"Cookie": f"sx_session={session}; sx_csrf={csrf}", "x-csrftoken": csrf}
