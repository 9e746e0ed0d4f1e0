"""Fresh, migrated databases for a test session: a SQLite file, or a reset PostgreSQL schema."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from exchange.db.migrate import upgrade_database

__all__ = ["fresh_database_url"]


def _asyncpg_url(url: str) -> str:
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    return url


async def _reset_postgres(url: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


def fresh_database_url(backend: str, directory: Path) -> str:
    """Migrated by Alembic, exactly as `exchange migrate` does it."""
    if backend == "postgresql":
        url = _asyncpg_url(os.environ["TEST_DATABASE_URL"])
        asyncio.run(_reset_postgres(url))
    else:
        url = f"sqlite+aiosqlite:///{directory / 'exchange.db'}"
    upgrade_database(url)
    return url
