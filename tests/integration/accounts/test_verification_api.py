"""Verification (know your business) through the API: details, licence, the admin's verify or reject."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.demo.kyb import example_details
from exchange.mail.models import OutboxMail
from tests.conftest import DEMO_PASSWORD, Actor, OrgFactory, token_for, unique_email
from tests.support.kyb import LICENCE_PDF


async def _register(client: AsyncTestClient[Litestar], **org: Any) -> Actor:
    email = unique_email("kyb")
    name = f"Tianjin Procurement {uuid.uuid4().hex[:6]}"
    body = {"email": email, "password": DEMO_PASSWORD, "name": "Wu Gang", "org": {"name": name, "kind": "buyer", **org}}
    answer = await client.post("/api/auth/register", json=body)
    assert answer.status_code == 201, answer.text
    data = answer.json()
    return Actor(data["user"]["id"], data["org"]["id"], email, await token_for(client, email), "buyer")


async def _mails_to(db: async_sessionmaker[AsyncSession], email: str) -> list[OutboxMail]:
    async with db() as session:
        return list(await session.scalars(select(OutboxMail).where(OutboxMail.recipient == email)))


async def test_details_given_at_registration_are_kept_checked_and_shown_to_the_org(
    client: AsyncTestClient[Litestar],
) -> None:
    details = {**example_details("Tianjin"), "uscc": "91350100-m000100y43"}
    buyer = await _register(client, **details)

    mine = (await client.get("/api/me/verification", headers=buyer.headers)).json()
    assert mine["status"] == "pending"
    assert mine["complete"] is True
    assert mine["uscc"] == "91350100M000100Y43"
    assert mine["legal_name"] == details["legal_name"]
    assert mine["licence"] is None


async def test_a_wrong_check_character_or_half_the_details_is_problem_json_naming_the_field(
    client: AsyncTestClient[Litestar],
) -> None:
    body = {"email": unique_email(), "password": DEMO_PASSWORD, "name": "Wu Gang"}
    wrong = {"name": "Tianjin Co", "kind": "buyer", **example_details("Tianjin"), "uscc": "91350100M000100Y44"}
    answer = await client.post("/api/auth/register", json={**body, "org": wrong})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == "bad_uscc"
    assert answer.json()["field"] == "org.uscc"
    assert "last character" in answer.json()["detail"]

    half = await client.post(
        "/api/auth/register", json={**body, "org": {"name": "Tianjin Co", "kind": "buyer", "legal_name": "Tianjin Ltd"}}
    )
    assert half.status_code == 422
    assert half.json()["field"] == "org.uscc"
    nobody = await client.post("/api/auth/token", json={"email": body["email"], "password": DEMO_PASSWORD})
    assert nobody.status_code == 401


async def test_an_org_without_details_cannot_be_verified_until_it_sends_them(
    client: AsyncTestClient[Litestar], admin: Actor
) -> None:
    buyer = await _register(client)
    refused = await client.post(f"/api/admin/orgs/{buyer.org_id}/verify", headers=admin.headers)
    assert refused.status_code == 409
    assert refused.json()["code"] == "verification_incomplete"

    sent = await client.put("/api/me/verification", json=example_details("Tianjin"), headers=buyer.headers)
    assert sent.status_code == 200, sent.text
    assert sent.json()["complete"] is True
    verified = await client.post(f"/api/admin/orgs/{buyer.org_id}/verify", headers=admin.headers)
    assert verified.status_code == 200
    assert verified.json()["verified"] is True
    changed = await client.put("/api/me/verification", json=example_details("Other"), headers=buyer.headers)
    assert changed.status_code == 409
    assert changed.json()["code"] == "already_verified"


async def test_a_rejected_org_is_told_why_corrects_its_details_and_is_then_verified(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], admin: Actor
) -> None:
    buyer = await _register(client, **example_details("Tianjin"))
    reason = "The legal name differs from the licence: it reads Tianjin Procurement Centre."

    rejected = await client.post(
        f"/api/admin/orgs/{buyer.org_id}/reject", json={"reason": reason}, headers=admin.headers
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    mine = (await client.get("/api/me/verification", headers=buyer.headers)).json()
    assert (mine["status"], mine["rejection_reason"]) == ("rejected", reason)
    notes = (await client.get("/api/notifications", headers=buyer.headers)).json()["items"]
    told = [note for note in notes if note["kind"] == "verification_rejected"]
    assert len(told) == 1
    assert reason in told[0]["body"]
    assert told[0]["link"] == "/verification"
    mails = await _mails_to(db, buyer.email)
    assert any(reason in mail.body and "not verified" in mail.subject for mail in mails)

    corrected = {**example_details("Tianjin"), "legal_name": "Tianjin Procurement Centre"}
    again = await client.put("/api/me/verification", json=corrected, headers=buyer.headers)
    assert again.json()["status"] == "pending"
    assert again.json()["rejection_reason"] is None
    seen = (await client.get(f"/api/admin/orgs/{buyer.org_id}/verification", headers=admin.headers)).json()
    assert seen["legal_name"] == "Tianjin Procurement Centre"
    assert (await client.post(f"/api/admin/orgs/{buyer.org_id}/verify", headers=admin.headers)).status_code == 200
    assert any(mail.subject.endswith("is verified") for mail in await _mails_to(db, buyer.email))
    assert (await client.get("/api/me/verification", headers=buyer.headers)).json()["status"] == "verified"


async def test_a_rejection_needs_a_reason_and_a_verified_org_cannot_be_rejected(
    client: AsyncTestClient[Litestar], admin: Actor, make_org: OrgFactory
) -> None:
    buyer = await _register(client)
    blank = await client.post(f"/api/admin/orgs/{buyer.org_id}/reject", json={"reason": "  "}, headers=admin.headers)
    assert blank.status_code == 422
    assert blank.json()["field"] == "reason"
    verified = await make_org("seller")
    late = await client.post(
        f"/api/admin/orgs/{verified.org_id}/reject", json={"reason": "Too late now"}, headers=admin.headers
    )
    assert late.status_code == 409
    missing = await client.post("/api/admin/orgs/999999999/reject", json={"reason": "Nobody"}, headers=admin.headers)
    assert missing.status_code == 404


async def test_the_licence_is_checked_kept_and_shown_to_admins_only(
    client: AsyncTestClient[Litestar], admin: Actor, make_org: OrgFactory
) -> None:
    buyer, other = await _register(client), await make_org("buyer")
    fake = await client.put(
        "/api/me/verification/licence",
        files={"file": ("licence.pdf", b"<html>not a pdf</html>", "application/pdf")},
        headers=buyer.headers,
    )
    assert fake.status_code == 422
    assert fake.json()["code"] == "file_type"

    kept = await client.put(
        "/api/me/verification/licence",
        files={"file": ("营业执照.pdf", LICENCE_PDF, "application/pdf")},
        headers=buyer.headers,
    )
    assert kept.status_code == 200, kept.text
    assert kept.json()["licence"] == {"filename": "营业执照.pdf", "content_type": "application/pdf"}
    file = await client.get(f"/api/admin/orgs/{buyer.org_id}/licence", headers=admin.headers)
    assert file.status_code == 200
    assert file.content == LICENCE_PDF
    for path in (f"/api/admin/orgs/{buyer.org_id}/licence", f"/api/admin/orgs/{buyer.org_id}/verification"):
        assert (await client.get(path, headers=other.headers)).status_code == 403
        assert (await client.get(path, headers=buyer.headers)).status_code == 403
    none = await client.get(f"/api/admin/orgs/{other.org_id}/licence", headers=admin.headers)
    assert none.status_code == 404
