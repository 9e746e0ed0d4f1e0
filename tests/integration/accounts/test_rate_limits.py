"""Registration is rate-limited like sign-in, and every 429 says when to come back (Retry-After)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from exchange.app import create_app
from exchange.redis.embedded import EmbeddedRedis
from tests.conftest import DEMO_PASSWORD, make_settings, unique_email
from tests.support.kyb import licence_files, sign_up_details

LIMIT = 3


@pytest.fixture
async def limited(tmp_path: Path, database_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """An app allowing LIMIT attempts a minute, with fresh counters (its own redis-server)."""
    own_redis = EmbeddedRedis(tmp_path / "redis")
    own_redis.ensure_running()
    try:
        app = create_app(make_settings(tmp_path, database_url, own_redis.url, AUTH_RATE_LIMIT=str(LIMIT)))
        async with AsyncTestClient(app=app) as client:
            yield client
    finally:
        own_redis.stop()


def _registration() -> dict[str, Any]:
    return {
        "email": unique_email(),
        "password": DEMO_PASSWORD,
        "name": "Li Na",
        "org": {"name": "Everbright", "kind": "seller"},
    }


def _assert_retry_after(answer: Any) -> None:
    assert answer.status_code == 429
    assert int(answer.headers["retry-after"]) in range(1, 61)


async def test_api_registrations_are_limited_per_client_address_and_the_429_says_when_to_retry(
    limited: AsyncTestClient[Litestar],
) -> None:
    codes = [(await limited.post("/api/auth/register", json=_registration())).status_code for _ in range(LIMIT)]
    assert codes == [201] * LIMIT
    refused = await limited.post("/api/auth/register", json=_registration())
    _assert_retry_after(refused)
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "rate_limited"
    # The same budget covers sign-in: a client out of registrations cannot go on guessing passwords.
    _assert_retry_after(await limited.post("/api/auth/token", json={"email": "x@example.com", "password": "y"}))


async def test_the_sign_up_and_sign_in_pages_share_the_limit_and_their_429_has_retry_after(
    limited: AsyncTestClient[Litestar],
) -> None:
    answers = []
    for _ in range(LIMIT + 1):
        form = await limited.get("/register")
        csrf = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
        assert csrf
        body = _registration()
        answers.append(
            await limited.post(
                "/register",
                data={
                    "email": body["email"],
                    "password": DEMO_PASSWORD,
                    "name": "Li Na",
                    "org_name": "Everbright",
                    "org_kind": "seller",
                    **sign_up_details("Everbright"),
                    "_csrf_token": csrf.group(1),
                },
                files=licence_files(),
                follow_redirects=False,
            )
        )
    assert [a.status_code for a in answers[:LIMIT]] == [303] * LIMIT
    _assert_retry_after(answers[LIMIT])
    assert "Too many" in answers[LIMIT].text
    form = await limited.get("/login")
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
    assert csrf
    login = await limited.post(
        "/login", data={"email": "x@example.com", "password": "y" * 12, "_csrf_token": csrf.group(1)}
    )
    _assert_retry_after(login)
