"""The outbox sender as a scheduled job in every worker (claims keep them from sending a mail twice)."""

from __future__ import annotations

from typing import Any

from exchange.mail.sender import send_due_mail
from exchange.scheduler import register_job

__all__ = ["SEND_EVERY_SECONDS", "send_mail"]

SEND_EVERY_SECONDS = 5.0


async def send_mail(app_state: Any) -> None:
    await send_due_mail(app_state.session_maker, app_state.settings.mail)


register_job("mail.send-outbox", SEND_EVERY_SECONDS, send_mail)
