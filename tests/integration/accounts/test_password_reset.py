"""Password reset by e-mail: one answer for any address, a link that works once and expires."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.accounts import password_reset
from exchange.db.base import utcnow
from exchange.errors import Unprocessable
from exchange.mail.models import OutboxMail
from tests.conftest import DEMO_PASSWORD, OrgFactory, unique_email

NEW_PASSWORD = "quiet-lantern-harbour-71"


async def _reset_links(db: async_sessionmaker[AsyncSession], email: str) -> list[str]:
    async with db() as session:
        bodies = await session.scalars(
            select(OutboxMail.body).where(OutboxMail.recipient == email).order_by(OutboxMail.id)
        )
        return [m.group(1) for body in bodies if (m := re.search(r"/password/reset\?token=(\S+)", body))]


async def test_a_reset_link_is_mailed_only_to_an_account_and_the_answer_is_the_same_for_any_address(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    buyer, stranger = await make_org("buyer"), unique_email("nobody")
    known = await client.post("/api/auth/password-reset", json={"email": buyer.email.upper()})
    unknown = await client.post("/api/auth/password-reset", json={"email": stranger})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert known.status_code == 202
    assert len(await _reset_links(db, buyer.email)) == 1
    assert await _reset_links(db, stranger) == []


async def test_the_link_sets_a_new_password_once_and_ends_every_other_session(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    buyer = await make_org("buyer")
    await client.post("/api/auth/password-reset", json={"email": buyer.email})
    (token,) = await _reset_links(db, buyer.email)

    weak = await client.post("/api/auth/password-reset/confirm", json={"token": token, "new_password": "short"})
    assert weak.status_code == 422
    assert weak.json()["field"] == "new_password"
    done = await client.post("/api/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD})
    assert done.status_code == 200, done.text
    assert (await client.get("/api/me", headers=buyer.headers)).status_code == 401
    old = await client.post("/api/auth/token", json={"email": buyer.email, "password": DEMO_PASSWORD})
    assert old.status_code == 401
    new = await client.post("/api/auth/token", json={"email": buyer.email, "password": NEW_PASSWORD})
    assert new.status_code == 200

    again = await client.post("/api/auth/password-reset/confirm", json={"token": token, "new_password": DEMO_PASSWORD})
    assert again.status_code == 422
    assert again.json()["code"] == "reset_link_invalid"
    made_up = await client.post(
        "/api/auth/password-reset/confirm", json={"token": "x" * 43, "new_password": DEMO_PASSWORD}
    )
    assert made_up.json()["code"] == "reset_link_invalid"


async def test_a_link_expires_after_an_hour_and_a_newer_link_replaces_an_older_one(
    db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    buyer = await make_org("buyer")
    asked = utcnow()
    async with db() as session, session.begin():
        await password_reset.request_reset(session, buyer.email, now=asked)
        await password_reset.request_reset(session, buyer.email, now=asked)
    older, newer = await _reset_links(db, buyer.email)
    for token, at in ((older, asked), (newer, asked + timedelta(minutes=61))):
        async with db() as session, session.begin():
            with pytest.raises(Unprocessable) as refused:
                await password_reset.reset_password(session, token, NEW_PASSWORD, now=at)
        assert refused.value.code == "reset_link_invalid"
    async with db() as session, session.begin():
        user = await password_reset.reset_password(session, newer, NEW_PASSWORD, now=asked + timedelta(minutes=59))
    assert user.email == buyer.email


async def test_the_pages_ask_for_a_link_and_set_the_password_with_it(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    client.cookies.clear()
    login = await client.get("/login")
    assert 'href="/password/forgot"' in login.text
    csrf = client.cookies.get("sx_csrf") or ""
    answers = []
    for email in (seller.email, unique_email("nobody")):
        answer = await client.post("/password/forgot", data={"email": email}, headers={"x-csrftoken": csrf})
        assert answer.status_code == 200
        answers.append(re.sub(r'value="[^"]*"', "", answer.text.split('data-testid="reset-sent">')[1][:300]))
    assert answers[0] == answers[1]
    (token,) = await _reset_links(db, seller.email)

    form = await client.get(f"/password/reset?token={token}")
    assert f'value="{token}"' in form.text
    weak = await client.post(
        "/password/reset", data={"token": token, "new_password": "password123"}, headers={"x-csrftoken": csrf}
    )
    assert weak.status_code == 422
    assert "too easy to guess" in html.unescape(weak.text)
    done = await client.post(
        "/password/reset",
        data={"token": token, "new_password": NEW_PASSWORD},
        headers={"x-csrftoken": csrf},
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (303, "/login")
    used = await client.post(
        "/password/reset", data={"token": token, "new_password": NEW_PASSWORD}, headers={"x-csrftoken": csrf}
    )
    assert used.status_code == 422
    assert "Ask for a new link" in used.text
    client.cookies.clear()
