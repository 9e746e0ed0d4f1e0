"""The outbox is delivered over SMTP by the scheduler, and kept for another try when delivery fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.app import create_app
from exchange.mail.models import OutboxMail
from exchange.mail.sender import send_due_mail
from exchange.settings import MailSettings
from tests.conftest import DEMO_PASSWORD, unique_email
from tests.support.smtp import smtp_server
from tests.support.waiting import eventually


def _registration(email: str) -> dict[str, Any]:
    return {"email": email, "password": DEMO_PASSWORD, "name": "Li Na", "org": {"name": "Everbright", "kind": "buyer"}}


async def _outbox_row(db: async_sessionmaker[AsyncSession], email: str) -> OutboxMail | None:
    async with db() as session:
        return await session.scalar(select(OutboxMail).where(OutboxMail.recipient == email))


async def test_the_scheduler_sends_the_owner_of_a_taken_address_an_email_over_smtp_and_marks_it_sent(
    tmp_path: Path, database_url: str, redis_url: str, db: async_sessionmaker[AsyncSession]
) -> None:
    from tests.conftest import make_settings

    email = unique_email("owner")
    with smtp_server() as smtp:
        settings = make_settings(tmp_path, database_url, redis_url, SMTP_URL=smtp.url, MAIL_FROM="sx@example.com")
        async with AsyncTestClient(app=create_app(settings)) as client:
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
    client: AsyncTestClient[Any], db: async_sessionmaker[AsyncSession]
) -> None:
    email = unique_email("owner")
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
