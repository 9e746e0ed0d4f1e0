"""Password reset by e-mail: a single-use link that expires, sent only to an address that has an account,
while the answer to the request is the same for any address (no account enumeration)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from anyio import to_thread
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.errors import RESET_LINK_INVALID
from exchange.accounts.models import PasswordReset, RevokedToken, User
from exchange.accounts.passwords import hash_password
from exchange.accounts.rules import normalise_email
from exchange.accounts.services import checked_password
from exchange.db.base import utcnow
from exchange.errors import Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.locales import DEFAULT_LOCALE
from exchange.i18n.messages import Msg
from exchange.mail.outbox import queue_mail

__all__ = ["REQUESTED", "RESET_LIFETIME", "request_reset", "reset_password"]

RESET_LIFETIME = timedelta(hours=1)
REQUESTED = N_(
    "If an account has this e-mail address, we have sent it a link to choose a new password. "
    "The link works once, for one hour."
)
"""The answer to every reset request, whether or not the address has an account."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _mail(link: str, locale: str | None) -> dict[str, str]:
    """The reset e-mail, in the user's chosen language."""
    locale = locale or DEFAULT_LOCALE
    return {
        "subject": Msg("Choose a new Surplus Exchange password").render(locale),
        "body": Msg(
            "Someone, maybe you, asked to reset the password of your Surplus Exchange account.\n\n"
            "Choose a new password here (the link works once, for one hour):\n{link}\n\n"
            "If it was not you, ignore this e-mail: your password stays as it is.\n",
            link=link,
        ).render(locale),
    }


async def request_reset(session: AsyncSession, email: str, *, public_url: str = "", now: datetime | None = None) -> str:
    """Mail a reset link when the address has an account (earlier unused links of the user end); answers
    REQUESTED either way."""
    normalised = normalise_email(email)
    user = await session.scalar(select(User).where(User.email == normalised)) if normalised else None
    if user is not None:
        moment = now or utcnow()
        token = secrets.token_urlsafe(32)
        await session.execute(
            delete(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        )
        session.add(PasswordReset(user_id=user.id, digest=_digest(token), expires_at=moment + RESET_LIFETIME))
        queue_mail(session, to=user.email, **_mail(f"{public_url}/password/reset?token={token}", user.locale))
        await session.flush()
    return REQUESTED


async def reset_password(session: AsyncSession, token: str, new_password: str, *, now: datetime | None = None) -> User:
    """Set the password of the link's user, once: the link is then used, and every session and token of
    the user ends (the token epoch goes up)."""
    moment = now or utcnow()
    reset = await session.scalar(
        select(PasswordReset).where(PasswordReset.digest == _digest(token.strip())).with_for_update()
    )
    if reset is None or reset.used_at is not None or reset.expires_at <= moment:
        raise Unprocessable(
            N_(
                "This reset link does not work any more: it was used already, it is older than one hour, or it was "
                "copied only in part. Ask for a new one."
            ),
            field="token",
            code=RESET_LINK_INVALID,
        )
    user = await session.get(User, reset.user_id, with_for_update=True)
    if user is None:
        raise Unprocessable(N_("This account no longer exists."), field="token", code=RESET_LINK_INVALID)
    await checked_password(new_password, user.email, also_avoid=(user.name,), field="new_password")
    user.password_hash = await to_thread.run_sync(hash_password, new_password)
    user.token_epoch += 1
    reset.used_at = moment
    await session.execute(delete(RevokedToken).where(RevokedToken.user_id == user.id))
    await session.flush()
    return user
