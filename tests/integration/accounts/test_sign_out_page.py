"""Signing out through the page: a redirect with a message, and the old session is gone for good."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from exchange.app import create_app
from exchange.settings import Settings
from tests.conftest import OrgFactory
from tests.support.pages import PageSession


async def test_signing_out_says_so_and_the_old_session_cookie_no_longer_signs_in(
    settings: Settings, make_org: OrgFactory
) -> None:
    buyer = await make_org("buyer")
    async with AsyncTestClient(app=create_app(settings)) as client:
        page = PageSession(client)
        await page.sign_in(buyer)
        old_session = client.cookies["sx_session"]
        assert (await page.get("/dashboard", follow_redirects=False)).status_code == 200

        answer = await page.post("/logout")
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == "/"
        landing = await page.get("/")
        assert "You are signed out." in landing.text
        assert (await page.get("/dashboard", follow_redirects=False)).status_code in (302, 303, 307)

    async with AsyncTestClient(app=create_app(settings)) as other:
        other.cookies.set("sx_session", old_session)
        assert (await other.get("/dashboard", follow_redirects=False)).status_code in (302, 303, 307)


async def test_a_sign_out_without_the_csrf_token_signs_nobody_out(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    buyer = await make_org("buyer")
    page = PageSession(client)
    await page.sign_in(buyer)
    try:
        refused = await client.post("/logout", follow_redirects=False)
        assert refused.status_code == 403
        assert (await page.get("/dashboard", follow_redirects=False)).status_code == 200
    finally:
        page.close()
