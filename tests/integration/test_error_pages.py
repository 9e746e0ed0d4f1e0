"""The error page people see (not the API's problem+json) says what happened in plain words of their language and
offers a way back: the home page, and signing in (or the dashboard when signed in)."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import OrgFactory
from tests.support.pages import PageSession

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


@pytest.fixture
def pages(client: AsyncTestClient[Litestar]) -> Iterator[PageSession]:
    session = PageSession(client)
    yield session
    session.close()


async def test_a_missing_page_says_so_in_english_and_chinese_with_ways_back(client: AsyncTestClient[Litestar]) -> None:
    client.cookies.clear()
    english = await client.get("/no-such-page", headers=EN)
    assert english.status_code == 404
    text = html.unescape(english.text)
    assert "We could not find this page" in text
    assert 'href="/">Go to the home page</a>' in text
    assert 'href="/login?next=/no-such-page">Sign in</a>' in text
    assert "Not Found" not in text  # no framework words
    chinese = html.unescape((await client.get("/no-such-page", headers=ZH)).text)
    assert "找不到这个页面" in chinese
    assert ">返回首页</a>" in chinese
    assert ">登录</a>" in chinese
    assert "We could not find" not in chinese


async def test_a_lot_that_does_not_exist_names_it_and_a_refused_page_says_it_is_not_open_to_the_account(
    make_org: OrgFactory, pages: PageSession
) -> None:
    await pages.sign_in(await make_org("buyer"))
    missing = await pages.get("/lots/99999999", headers=EN)
    assert missing.status_code == 404
    assert "We could not find this page" in missing.text
    assert 'href="/dashboard">' in missing.text  # signed in: the dashboard, not the sign-in page
    refused = await pages.get("/admin/orgs", headers=EN)
    assert refused.status_code == 403
    assert "This is not open to your account" in html.unescape(refused.text)
    assert 'data-testid="error-page"' in refused.text
