"""Queue a mail in the caller's transaction: it is sent only if that transaction commits."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.mail.models import OutboxMail

__all__ = ["queue_mail"]


def queue_mail(session: AsyncSession, *, to: str, subject: str, body: str) -> OutboxMail:
    mail = OutboxMail(recipient=to, subject=subject, body=body)
    session.add(mail)
    return mail
