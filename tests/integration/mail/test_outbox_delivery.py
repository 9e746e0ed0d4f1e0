"""The outbox is delivered over SMTP by the scheduler, and kept for another try when delivery fails.

Each test has a database of its own: the shared one holds other tests' queued mail (sent oldest first), which
would stand between these tests and the one message they look for."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.app import create_app
from exchange.db.engine import make_engine, make_session_maker
from exchange.mail.models import OutboxMail
from exchange.mail.sender import send_due_mail
from exchange.settings import MailSettings
from tests.conftest import DEMO_PASSWORD, make_settings, unique_email
from tests.support.databases import fresh_database_url
from tests.support.smtp import smtp_server
from tests.support.waiting import eventually


def _registration(email: str) -> dict[str, Any]:
    return {"email": email, "password": DEMO_PASSWORD, "name": "Li Na", "org": {"name": "Everbright", "kind": "buyer"}}


@asynccontextmanager
async def _own_app(
    tmp_path: Path, backend: str, redis_url: str, **overrides: str
) -> AsyncIterator[tuple[AsyncTestClient[Any], async_sessionmaker[AsyncSession]]]:
    database_url = await asyncio.to_thread(fresh_database_url, backend, tmp_path, suffix="mail")
    settings = make_settings(tmp_path / "data", database_url, redis_url, **overrides)
    engine = make_engine(settings.database)
    try:
        async with AsyncTestClient(app=create_app(settings)) as client:
            yield client, make_session_maker(engine)
    finally:
        await engine.dispose()


async def _outbox_row(db: async_sessionmaker[AsyncSession], email: str) -> OutboxMail | None:
    async with db() as session:
        return await session.scalar(select(OutboxMail).where(OutboxMail.recipient == email))


async def test_the_scheduler_sends_the_owner_of_a_taken_address_an_email_over_smtp_and_marks_it_sent(
    tmp_path: Path, database_backend: str, redis_url: str
) -> None:
    email = unique_email("owner")
    with smtp_server() as smtp:
        mail = {"SMTP_URL": smtp.url, "MAIL_FROM": "sx@example.com"}
        async with _own_app(tmp_path, database_backend, redis_url, **mail) as (client, db):
            assert (await client.post("/api/auth/register", json=_registration(email))).status_code == 201
            assert (await client.post("/api/auth/register", json=_registration(email))).status_code == 201

            async def delivered() -> list[Any] | None:
                return smtp.to(email) or None

            [message] = await eventually(delivered, within=20.0)
            assert message["Subject"] == "Someone tried to register with your e-mail address"
            assert message["From"] == "sx@example.com"
            assert email in message.get_payload(decode=True).decode()

            async def marked_sent() -> OutboxMail | None:
                row = await _outbox_row(db, email)
                return row if row is not None and row.sent_at is not None else None

            sent = await eventually(marked_sent, within=10.0)
            assert sent.attempts == 1
            assert len(smtp.to(email)) == 1  # sent once, not again on the next rounds


async def test_a_refused_mail_stays_queued_and_is_tried_again_later(
    tmp_path: Path, database_backend: str, redis_url: str
) -> None:
    email = unique_email("owner")
    async with _own_app(tmp_path, database_backend, redis_url, SCHEDULER="off") as (client, db):
        assert (await client.post("/api/auth/register", json=_registration(email))).status_code == 201
        assert (await client.post("/api/auth/register", json=_registration(email))).status_code == 201
        with smtp_server() as smtp:
            smtp.refuse = True
            assert await send_due_mail(db, MailSettings(smtp_url=smtp.url)) == 0
            row = await _outbox_row(db, email)
            assert row is not None
            assert (row.sent_at, row.attempts) == (None, 1)
            assert "SMTP" in (row.last_error or "")
            assert row.due_at > row.created_at  # backed off, not due again at once
            smtp.refuse = False
            assert await send_due_mail(db, MailSettings(smtp_url=smtp.url)) == 0  # not due yet
            assert smtp.to(email) == []


def test_a_malformed_smtp_url_is_refused_at_start() -> None:
    import pytest

    from exchange.settings import SettingsError

    for url in ("http://mail.example.com", "smtp://", "smtp://host:port"):
        with pytest.raises(SettingsError):
            MailSettings.from_env({"SMTP_URL": url})
    server = MailSettings.from_env({"SMTP_URL": "smtps://me%40x.com:p%3Ass@mail.example.com"}).server()
    assert server is not None
    assert (server.host, server.port, server.username, server.password, server.use_tls) == (
        "mail.example.com",
        465,
        "me@x.com",
        "p:ss",
        True,
    )
