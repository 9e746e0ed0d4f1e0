"""Tokens can be signed out; a password change ends every token and session; 401s carry WWW-Authenticate."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import event

from exchange.accounts import auth
from exchange.app import create_app
from exchange.settings import Settings
from tests.conftest import DEMO_PASSWORD, OrgFactory, token_for
from tests.support.waiting import eventually

NEW_PASSWORD = "lantern-orchid-quarry"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_api_401s_challenge_for_a_bearer_token_and_say_when_the_token_was_bad(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    anonymous = await client.get("/api/me")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == 'Bearer realm="exchange"'
    forged = await client.get("/api/me", headers=_bearer("sx2.1.0.9999999999.abc.forged"))
    assert forged.status_code == 401
    assert forged.headers["www-authenticate"] == 'Bearer realm="exchange", error="invalid_token"'
    buyer = await make_org("buyer")
    wrong = await client.post("/api/auth/token", json={"email": buyer.email, "password": "nope-nope-nope"})
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"].startswith("Bearer ")


async def test_signing_a_token_out_ends_that_token_only(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    buyer = await make_org("buyer")
    other = await token_for(client, buyer.email)
    assert (await client.get("/api/me", headers=buyer.headers)).status_code == 200  # cached in this worker
    out = await client.post("/api/auth/token/revoke", headers=buyer.headers)
    assert out.status_code == 204
    refused = await client.get("/api/me", headers=buyer.headers)
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused.headers["www-authenticate"]
    assert refused.json()["code"] == "bad_token"
    assert (await client.post("/api/auth/token/revoke", headers=buyer.headers)).status_code == 401
    assert (await client.get("/api/me", headers=_bearer(other))).status_code == 200


async def test_changing_the_password_ends_every_token_and_other_session_and_answers_a_new_token(
    settings: Settings, client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    second = await token_for(client, seller.email)
    async with AsyncTestClient(app=create_app(settings)) as browser:
        form = await browser.get("/login")
        csrf = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
        assert csrf
        signed_in = await browser.post(
            "/login", data={"email": seller.email, "password": DEMO_PASSWORD, "_csrf_token": csrf.group(1)}
        )
        assert "Seller dashboard" in signed_in.text

        path = "/api/me/password"
        wrong = await client.post(
            path, headers=seller.headers, json={"current_password": "x" * 12, "new_password": NEW_PASSWORD}
        )
        assert (wrong.status_code, wrong.json()["field"]) == (422, "current_password")
        weak = await client.post(
            path, headers=seller.headers, json={"current_password": DEMO_PASSWORD, "new_password": "password12"}
        )
        assert (weak.status_code, weak.json()["field"]) == (422, "new_password")
        assert "too easy to guess" in weak.json()["detail"]

        # Changed through the browser's worker (another app): that worker ends the session at once.
        changed = await browser.post(
            path, headers=seller.headers, json={"current_password": DEMO_PASSWORD, "new_password": NEW_PASSWORD}
        )
        assert changed.status_code == 200
        fresh = changed.json()["access_token"]
        for old in (seller.token, second):
            assert (await browser.get("/api/me", headers=_bearer(old))).status_code == 401
        assert (await browser.get("/api/me", headers=_bearer(fresh))).status_code == 200
        # The browser signed in with the old password is signed out (the change was made elsewhere).
        dashboard = await browser.get("/dashboard", follow_redirects=False)
        assert dashboard.status_code in (302, 303, 307)
    assert (
        await client.post("/api/auth/token", json={"email": seller.email, "password": DEMO_PASSWORD})
    ).status_code == 401
    assert await token_for(client, seller.email, NEW_PASSWORD)


async def test_another_worker_honours_a_sign_out_once_its_principal_cache_entry_expires(
    settings: Settings, client: AsyncTestClient[Litestar], make_org: OrgFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "PRINCIPAL_CACHE_SECONDS", 0.5)  # the staleness bound, shortened for the test
    buyer = await make_org("buyer")
    async with AsyncTestClient(app=create_app(settings)) as other_worker:
        assert (await other_worker.get("/api/me", headers=buyer.headers)).status_code == 200
        assert (await client.post("/api/auth/token/revoke", headers=buyer.headers)).status_code == 204

        async def refused() -> int | None:
            status = (await other_worker.get("/api/me", headers=buyer.headers)).status_code
            return status if status == 401 else None

        assert await eventually(refused, within=5.0) == 401


async def test_a_signed_in_api_call_costs_no_database_round_trip_while_the_principal_is_cached(
    tmp_path: Path, settings: Settings, make_org: OrgFactory
) -> None:
    buyer = await make_org("buyer")
    app = create_app(settings)
    statements: list[str] = []
    engine = app.state.session_maker.kw["bind"]
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    async with AsyncTestClient(app=app) as worker:
        for _ in range(50):
            assert (await worker.get("/api/categories", headers=buyer.headers)).status_code == 200
    auth_reads = [s for s in statements if "users" in s or "revoked_tokens" in s]
    assert len(auth_reads) == 2  # the user and their revoked tokens, read once for 50 calls
