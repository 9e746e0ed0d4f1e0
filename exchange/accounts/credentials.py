"""Signing a token out and changing the password (which ends every token and other session)."""

from __future__ import annotations

from datetime import UTC, datetime

from anyio import to_thread
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import RevokedToken, User
from exchange.accounts.passwords import hash_password, password_matches
from exchange.accounts.services import checked_password
from exchange.accounts.tokens import TokenClaims
from exchange.db.base import utcnow
from exchange.errors import NotFound, Unprocessable
from exchange.i18n.catalog import N_

__all__ = ["change_password", "revoke_token"]


async def revoke_token(session: AsyncSession, claims: TokenClaims) -> None:
    """Sign one token out until it expires (again: nothing more). Expired revocations are dropped."""
    await session.execute(delete(RevokedToken).where(RevokedToken.expires_at <= utcnow()))
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    row = {
        "digest": claims.digest,
        "user_id": claims.user_id,
        "expires_at": datetime.fromtimestamp(claims.expires, UTC),
    }
    # Two sign-outs of one token racing: the second changes nothing (and is no error).
    await session.execute(dialect.insert(RevokedToken).values(**row).on_conflict_do_nothing())


async def change_password(session: AsyncSession, user_id: int, current: str, new: str) -> User:
    """Set a new password after checking the current one; every token and session of the user ends.

    The user's token epoch goes up: tokens and sessions carry the epoch they were issued in."""
    user = await session.scalar(select(User).where(User.id == user_id).with_for_update())
    if user is None:
        raise NotFound(N_("This account no longer exists."))
    if not await to_thread.run_sync(password_matches, user.password_hash, current):
        raise Unprocessable(N_("The current password is not right."), field="current_password")
    await checked_password(new, user.email, also_avoid=(user.name,), field="new_password")
    user.password_hash = await to_thread.run_sync(hash_password, new)
    user.token_epoch += 1
    # Older tokens are refused by their epoch now: their single revocations are no longer needed.
    await session.execute(delete(RevokedToken).where(RevokedToken.user_id == user_id))
    await session.flush()
    return user
