"""The outbox sender as a scheduled job in every worker (claims keep them from sending a mail twice)."""

from __future__ import annotations

from exchange.mail.sender import send_due_mail
from exchange.runtime import Runtime
from exchange.scheduler import Job

__all__ = ["JOBS", "SEND_EVERY_SECONDS", "send_mail"]

SEND_EVERY_SECONDS = 5.0


async def send_mail(runtime: Runtime) -> None:
    await send_due_mail(runtime.session_maker, runtime.settings.mail)


JOBS = (Job("mail.send-outbox", SEND_EVERY_SECONDS, send_mail),)
