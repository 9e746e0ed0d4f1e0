"""Deliver due outbox mail over SMTP, safely from several workers at once.

A sender claims a mail with a conditional UPDATE that moves its `due_at` a claim period ahead; only
the worker whose UPDATE changed the row sends it. Success marks it sent; a failure leaves it due again
after a back-off that grows with the attempts, up to MAX_ATTEMPTS.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.db.base import utcnow
from exchange.mail.models import OutboxMail
from exchange.settings import MailSettings, SmtpServer

__all__ = ["MAX_ATTEMPTS", "send_due_mail"]

log = logging.getLogger("exchange.mail")

BATCH = 20
CLAIM = timedelta(minutes=2)
"""Longer than one SMTP exchange can take (timeout below): a claim outlives its sender's attempt."""
SMTP_TIMEOUT_SECONDS = 30.0
MAX_ATTEMPTS = 12


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 15 * 2 ** (attempts - 1)))


def _message(mail: OutboxMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(idstring=f"outbox-{mail.id}")
    message.set_content(mail.body)
    return message


async def _claim(session: AsyncSession, mail_id: int) -> OutboxMail | None:
    now = utcnow()
    claimed = await session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.sent_at.is_(None), OutboxMail.due_at <= now)
        .values(due_at=now + CLAIM, attempts=OutboxMail.attempts + 1)
    )
    await session.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return await session.get(OutboxMail, mail_id)


async def _deliver(server: SmtpServer, message: EmailMessage) -> None:
    await aiosmtplib.send(
        message,
        hostname=server.host,
        port=server.port,
        username=server.username,
        password=server.password,
        use_tls=server.use_tls,
        start_tls=server.start_tls,
        timeout=SMTP_TIMEOUT_SECONDS,
    )


async def send_due_mail(session_maker: async_sessionmaker[AsyncSession], settings: MailSettings) -> int:
    """Send what is due; the number sent. Without an SMTP server, mail stays queued."""
    server = settings.server()
    if server is None:
        return 0
    sent = 0
    async with session_maker() as session:
        due = (
            await session.scalars(
                select(OutboxMail.id)
                .where(OutboxMail.sent_at.is_(None), OutboxMail.due_at <= utcnow(), OutboxMail.attempts < MAX_ATTEMPTS)
                .order_by(OutboxMail.due_at)
                .limit(BATCH)
            )
        ).all()
        await session.commit()
        for mail_id in due:
            mail = await _claim(session, mail_id)
            if mail is None:  # another worker has it
                continue
            try:
                await _deliver(server, _message(mail, settings.sender))
            except (aiosmtplib.SMTPException, OSError) as error:
                # The class and SMTP code only: a server's message may quote the recipient.
                reason = f"{type(error).__name__} {getattr(error, 'code', '')}".strip()
                log.warning("mail %s not sent (attempt %s): %s", mail.id, mail.attempts, reason)
                mail.last_error = reason[:200]
                mail.due_at = utcnow() + _backoff(mail.attempts)
            else:
                mail.sent_at = utcnow()
                sent += 1
            await session.commit()
    return sent
