from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.accounts.models import Org, User
from exchange.mail.models import OutboxMail
from tests.conftest import DEMO_PASSWORD, Actor, OrgFactory, unique_email


async def _counts(db: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    async with db() as session:
        users = await session.scalar(select(func.count()).select_from(User))
        orgs = await session.scalar(select(func.count()).select_from(Org))
    return int(users or 0), int(orgs or 0)


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "email": unique_email(),
        "password": DEMO_PASSWORD,
        "name": "Zhang Min",
        "org": {"name": "Shanghai Auto Parts", "kind": "buyer"},
    }
    body.update(overrides)
    return body


async def test_registering_creates_an_unverified_org_and_its_owner(client: AsyncTestClient[Litestar]) -> None:
    body = _body()
    response = await client.post("/api/auth/register", json=body)
    assert response.status_code == 201
    data = response.json()
    assert data["user"]["email"] == body["email"]
    assert data["org"] == {"id": data["org"]["id"], "name": "Shanghai Auto Parts", "kind": "buyer", "verified": False}
    assert "password" not in response.text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": None}, "email"),
        ({"password": 12345678901}, "password"),
        ({"org": {"name": "X Co", "kind": "pirate"}}, "org.kind"),
        ({"org": {"name": "X Co"}}, "org"),
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "password12"}, "password"),
        ({"password": "1234567890"}, "password"),
        ({"password": "passwordpassword"}, "password"),
        ({"name": ""}, "name"),
        ({"extra": "field"}, None),
    ],
)
async def test_bad_registrations_are_problem_json_naming_the_field_and_create_nothing(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], change: dict[str, Any], field: str | None
) -> None:
    before = await _counts(db)
    response = await client.post("/api/auth/register", json=_body(**change))
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert {"type", "title", "status", "detail"} <= problem.keys()
    if field:
        assert problem["field"].startswith(field) or field in problem["detail"], problem
    assert await _counts(db) == before


async def test_missing_fields_wrong_body_types_and_garbage_are_4xx(client: AsyncTestClient[Litestar]) -> None:
    for content in (b"{}", b"[]", b"not json", b'{"email": 5}', b""):
        response = await client.post(
            "/api/auth/register", content=content, headers={"content-type": "application/json"}
        )
        assert 400 <= response.status_code < 500, content
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_huge_body_is_refused_before_it_is_read(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession]
) -> None:
    before = await _counts(db)
    body = _body(name="x" * (2 * 1024 * 1024))
    response = await client.post("/api/auth/register", json=body)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await _counts(db) == before


async def test_a_taken_email_is_answered_like_a_new_one_creates_nothing_and_mails_the_owner(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession]
) -> None:
    body = _body()
    first = await client.post("/api/auth/register", json=body)
    assert first.status_code == 201
    before = await _counts(db)
    intruder = {**_body(), "email": body["email"].upper(), "password": "lantern-orchid-quarry"}
    again = await client.post("/api/auth/register", json=intruder)
    fresh = await client.post("/api/auth/register", json=_body())
    assert again.status_code == fresh.status_code == 201
    assert again.headers["content-type"] == fresh.headers["content-type"]
    taken, new = again.json(), fresh.json()
    assert taken.keys() == new.keys()
    assert taken["user"].keys() == new["user"].keys()
    assert taken["org"].keys() == new["org"].keys()
    assert taken["user"]["email"] == body["email"]
    assert {k: v for k, v in taken["org"].items() if k != "id"} == {k: v for k, v in new["org"].items() if k != "id"}
    assert "already" not in again.text
    assert "taken" not in again.text
    assert await _counts(db) == (before[0] + 1, before[1] + 1)  # only the fresh registration made rows
    assert await _mail_to(db, body["email"]) == ["Someone tried to register with your e-mail address"]
    # The owner's password still signs in; the would-be registrant's does not.
    assert (await client.post("/api/auth/token", json={"email": body["email"], "password": DEMO_PASSWORD})).is_success
    refused = await client.post("/api/auth/token", json={"email": body["email"], "password": intruder["password"]})
    assert refused.status_code == 401


async def _mail_to(db: async_sessionmaker[AsyncSession], address: str) -> list[str]:
    async with db() as session:
        return list(await session.scalars(select(OutboxMail.subject).where(OutboxMail.recipient == address)))


async def test_a_token_signs_the_user_in_to_the_api(client: AsyncTestClient[Litestar], make_org: OrgFactory) -> None:
    buyer = await make_org("buyer", verified=False)
    me = await client.get("/api/me", headers=buyer.headers)
    assert me.status_code == 200
    assert me.json()["user"]["email"] == buyer.email
    assert me.json()["org"]["kind"] == "buyer"
    assert me.json()["org"]["verified"] is False


async def test_wrong_credentials_get_one_clear_message(client: AsyncTestClient[Litestar], make_org: OrgFactory) -> None:
    buyer = await make_org("buyer")
    wrong_password = await client.post("/api/auth/token", json={"email": buyer.email, "password": "nope-nope-nope"})
    unknown_email = await client.post("/api/auth/token", json={"email": unique_email(), "password": DEMO_PASSWORD})
    for response in (wrong_password, unknown_email):
        assert response.status_code == 401
        assert response.json()["detail"] == "The email or password is not right."


async def test_the_api_needs_a_valid_token(client: AsyncTestClient[Litestar]) -> None:
    assert (await client.get("/api/me")).status_code == 401
    forged = await client.get("/api/me", headers={"Authorization": "Bearer sx1.1.9999999999.forged"})
    assert forged.status_code == 401
    assert forged.headers["content-type"].startswith("application/problem+json")


async def test_only_admins_verify_organisations(
    client: AsyncTestClient[Litestar], make_org: OrgFactory, admin: Actor
) -> None:
    seller = await make_org("seller", verified=False)
    refused = await client.post(f"/api/admin/orgs/{seller.org_id}/verify", headers=seller.headers)
    assert refused.status_code == 403
    anonymous = await client.post(f"/api/admin/orgs/{seller.org_id}/verify")
    assert anonymous.status_code == 401
    done = await client.post(f"/api/admin/orgs/{seller.org_id}/verify", headers=admin.headers)
    assert done.status_code == 200
    assert done.json()["verified"] is True
    me = await client.get("/api/me", headers=seller.headers)
    assert me.json()["org"]["verified"] is True
    missing = await client.post("/api/admin/orgs/999999999/verify", headers=admin.headers)
    assert missing.status_code == 404


async def test_health_reports_both_stores_up(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["database"] == "up"
    assert response.json()["redis"] == "up"


async def test_the_openapi_document_describes_the_accounts_routes(client: AsyncTestClient[Litestar]) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    for path in ("/api/auth/register", "/api/auth/token", "/api/me", "/api/admin/orgs/{org_id}/verify"):
        assert path in paths
    assert not any(p.startswith("/login") for p in paths)
