from __future__ import annotations

import re
from pathlib import Path

from litestar import Litestar
from litestar.testing import AsyncTestClient

from exchange.app import create_app
from exchange.ratelimit import RATE_LIMITED_PATHS
from exchange.redis.embedded import EmbeddedRedis
from exchange.settings import Settings
from tests.conftest import DEMO_PASSWORD, OrgFactory, make_settings
from tests.support.kyb import licence_files, sign_up_details


def _csrf(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the form carries a CSRF token"
    return match.group(1)


async def _sign_in(client: AsyncTestClient[Litestar], email: str, password: str = DEMO_PASSWORD):  # type: ignore[no-untyped-def]
    form = await client.get("/login")
    return await client.post(
        "/login",
        data={"email": email, "password": password, "next": "/dashboard", "_csrf_token": _csrf(form.text)},
        follow_redirects=False,
    )


async def test_signing_in_sets_a_fresh_httponly_samesite_session_cookie(
    settings: Settings, make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    async with AsyncTestClient(app=create_app(settings)) as browser:
        first = await _sign_in(browser, seller.email)
        assert first.status_code == 303
        assert first.headers["location"] == "/dashboard"
        cookie = next(h for h in first.headers.get_list("set-cookie") if h.startswith("sx_session="))
        assert "HttpOnly" in cookie
        assert "samesite=lax" in cookie.lower()
        old_id = browser.cookies["sx_session"]
        dashboard = await browser.get("/dashboard")
        assert "Seller dashboard" in dashboard.text

        await _sign_in(browser, seller.email)  # signing in again rotates the session id
        new_id = browser.cookies["sx_session"]
        assert new_id != old_id
        assert "Seller dashboard" in (await browser.get("/dashboard")).text

    async with AsyncTestClient(app=create_app(settings)) as thief:
        thief.cookies.set("sx_session", old_id)
        stolen = await thief.get("/dashboard", follow_redirects=False)
        assert stolen.status_code in (302, 303, 307)


async def test_a_form_post_without_the_csrf_token_is_refused(settings: Settings, make_org: OrgFactory) -> None:
    seller = await make_org("seller")
    async with AsyncTestClient(app=create_app(settings)) as browser:
        await browser.get("/login")
        answer = await browser.post("/login", data={"email": seller.email, "password": DEMO_PASSWORD})
        assert answer.status_code == 403
        assert (await browser.get("/dashboard", follow_redirects=False)).status_code in (302, 303, 307)


async def test_pages_for_signed_in_users_send_visitors_to_sign_in(client: AsyncTestClient[Litestar]) -> None:
    answer = await client.get("/dashboard", follow_redirects=False)
    assert answer.status_code in (302, 303, 307)
    assert answer.headers["location"] == "/login?next=/dashboard"


async def test_sign_up_form_errors_are_shown_next_to_the_field_and_create_nothing(settings: Settings) -> None:
    async with AsyncTestClient(app=create_app(settings)) as browser:
        form = await browser.get("/register")
        answer = await browser.post(
            "/register",
            data={
                "name": "Li Na",
                "email": "li.na@example.com",
                "password": "short",
                "org_name": "Everbright",
                "org_kind": "seller",
                "_csrf_token": _csrf(form.text),
            },
        )
        assert answer.status_code == 422
        assert "at least 10 characters" in answer.text
        assert 'value="li.na@example.com"' in answer.text
        again = await browser.post("/api/auth/token", json={"email": "li.na@example.com", "password": "short"})
        assert again.status_code == 401


async def test_signing_up_with_a_taken_address_looks_like_any_sign_up_and_signs_nobody_in(
    settings: Settings, make_org: OrgFactory
) -> None:
    owner = await make_org("buyer")
    answers = []
    async with AsyncTestClient(app=create_app(settings)) as browser:
        for email in (owner.email, f"new-{owner.email}"):
            form = await browser.get("/register")
            fields = {"name": "Li Na", "password": "lantern-orchid-quarry", "org_name": "Everbright"}
            answer = await browser.post(
                "/register",
                data={
                    **fields,
                    **sign_up_details("Everbright"),
                    "email": email,
                    "org_kind": "seller",
                    "_csrf_token": _csrf(form.text),
                },
                files=licence_files(),
                follow_redirects=False,
            )
            answers.append((answer.status_code, answer.headers["location"]))
            assert (await browser.get("/dashboard", follow_redirects=False)).status_code in (302, 303, 307)
            login = await browser.get(answer.headers["location"])
            assert "Everbright is registered" in login.text
    assert answers[0] == answers[1] == (303, "/login?next=/dashboard")


async def test_sign_in_attempts_are_rate_limited_per_client_address_not_per_spoofable_header(
    tmp_path: Path, database_url: str
) -> None:
    own_redis = EmbeddedRedis(tmp_path / "redis")  # fresh counters, untouched by other tests
    own_redis.ensure_running()
    limited = create_app(make_settings(tmp_path, database_url, own_redis.url, AUTH_RATE_LIMIT="3"))
    async with AsyncTestClient(app=limited) as client:
        codes = []
        for attempt in range(5):
            answer = await client.post(
                "/api/auth/token",
                json={"email": "nobody@example.com", "password": "x" * 12},
                headers={"X-Forwarded-For": f"203.0.113.{attempt}"},
            )
            codes.append(answer.status_code)
        assert codes[:3] == [401, 401, 401]
        assert codes[3:] == [429, 429]
        assert answer.headers["content-type"].startswith("application/problem+json")
    own_redis.stop()


async def test_the_sign_in_form_is_rate_limited_too_and_other_paths_skip_the_limit(
    tmp_path: Path, database_url: str
) -> None:
    own_redis = EmbeddedRedis(tmp_path / "redis")
    own_redis.ensure_running()
    limited = create_app(make_settings(tmp_path, database_url, own_redis.url, AUTH_RATE_LIMIT="2"))
    # The middleware only looks at the listed paths: every handler marked rate-limited must be on one.
    marked = {
        route.path
        for route in limited.routes
        for handler in getattr(route, "route_handlers", [])
        if handler.opt.get("rate_limited")
    }
    assert marked == set(RATE_LIMITED_PATHS)
    async with AsyncTestClient(app=limited) as client:
        codes = []
        for _ in range(3):
            form = await client.get("/login")
            answer = await client.post(
                "/login",
                data={"email": "nobody@example.com", "password": "x" * 12, "_csrf_token": _csrf(form.text)},
                follow_redirects=False,
            )
            codes.append(answer.status_code)
        assert 429 not in codes[:2]
        assert codes[2] == 429
        for _ in range(3):  # the same client, on a path without a limit
            assert (await client.get("/api/categories")).status_code == 200
    own_redis.stop()
