"""The Redis key space of one database: `sx:<id>:lot:{42}`, named by a row in `bid_engine_identity`."""

from __future__ import annotations

import secrets

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.models import EngineIdentity
from exchange.errors import DATABASE_UNAVAILABLE, ServiceUnavailable
from exchange.redis.keys import ENGINE_KEY_PREFIX

__all__ = ["database_space", "database_unavailable", "known_space", "remember_space"]

_process_space: list[str] = []
"""The key space of this process's database, once an engine has read it (for `bid_counts` given a bare client)."""


def known_space() -> str | None:
    return _process_space[-1] if _process_space else None


def remember_space(space: str) -> None:
    _process_space[:] = [space]


def database_unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(
        "The bid could not be recorded because the exchange's database is briefly unavailable. "
        "It was not accepted; please try again.",
        code=DATABASE_UNAVAILABLE,
        retry_after=2,
    )


async def database_space(session_maker: async_sessionmaker[AsyncSession]) -> str:
    """Read (or, the first time, make) this database's key space; 503 when the database is down."""
    try:
        return await _read_or_make_space(session_maker)
    except SQLAlchemyError:
        raise database_unavailable() from None


async def _read_or_make_space(session_maker: async_sessionmaker[AsyncSession]) -> str:
    async with session_maker() as session:
        row = await session.get(EngineIdentity, 1)
        if row is not None:
            return f"{ENGINE_KEY_PREFIX}{row.space}:"
    try:
        async with session_maker() as session, session.begin():
            session.add(EngineIdentity(id=1, space=secrets.token_hex(4)))
    except IntegrityError:
        pass  # another process made it first
    async with session_maker() as session:
        row = await session.get(EngineIdentity, 1)
    if row is None:
        raise database_unavailable()
    return f"{ENGINE_KEY_PREFIX}{row.space}:"
