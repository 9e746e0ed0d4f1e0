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


def _per_worker(url: str) -> str:
    """Under pytest-xdist each worker gets its own database beside the given one (`test` → `test_gw1`)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base, _, name = url.rpartition("/")
    return f"{base}/{name.split('?')[0]}_{worker}"


async def _create_database(url: str) -> None:
    base, _, name = url.rpartition("/")
    engine = create_async_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        exists = await connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
        if not exists:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


async def _reset_postgres(url: str) -> None:
    if url != _asyncpg_url(os.environ["TEST_DATABASE_URL"]):
        await _create_database(url)
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


def fresh_database_url(backend: str, directory: Path, *, suffix: str = "") -> str:
    """Migrated by Alembic, exactly as `exchange migrate` does it. On PostgreSQL a `suffix` gives a database of
    its own beside the session's (`test_gw1` → `test_gw1_stack`), so a private stack never resets the shared one."""
    if backend == "postgresql":
        url = _per_worker(_asyncpg_url(os.environ["TEST_DATABASE_URL"]))
        if suffix:
            base, _, name = url.rpartition("/")
            url = f"{base}/{name.split('?')[0]}_{suffix}"
        asyncio.run(_reset_postgres(url))
    else:
        url = f"sqlite+aiosqlite:///{directory / 'exchange.db'}"
    upgrade_database(url)
    return url
