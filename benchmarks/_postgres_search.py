"""The search benchmark's PostgreSQL database: a fresh database on the given server, migrated, filled with
COPY, vacuumed and analysed (index-only scans need the visibility map), dropped afterwards."""

from __future__ import annotations

import time
import uuid

import asyncpg

from benchmarks._sqlite_build import cpu_seconds
from benchmarks._synthetic_lots import copy_lots
from exchange.db.engine import make_engine, make_session_maker
from exchange.db.migrate import upgrade_database
from exchange.settings import DatabaseSettings

__all__ = ["build_postgres", "database_name", "drop_postgres", "postgres_size", "reuse_postgres"]


def _plain(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


def _on(url: str, database: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + database


async def build_postgres(server_url: str, lots: int) -> str:
    """A new database `bench_search_<hex>` on the server of `server_url` holding `lots` lots; its asyncpg URL."""
    name = f"bench_search_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(_plain(server_url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = "postgresql+asyncpg://" + _on(server_url, name).split("://", 1)[1]
    print(f"Migrating a fresh PostgreSQL database {name} ...")
    upgrade_database(url)
    print(f"Copying {lots:,} lots with their spec values and terms ...")
    started, cpu_started = time.perf_counter(), cpu_seconds()
    engine = make_engine(DatabaseSettings(url=url))
    try:
        async with make_session_maker(engine)() as session:
            await copy_lots(session, lots)
    finally:
        await engine.dispose()
    await _vacuum_analyze(url)
    print(f"  built in {time.perf_counter() - started:.1f} s ({cpu_seconds() - cpu_started:.1f} s CPU)")
    return url


async def _vacuum_analyze(url: str) -> None:
    connection = await asyncpg.connect(_plain(url))
    try:
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[1]


async def reuse_postgres(server_url: str, name: str) -> str:
    """The asyncpg URL of a database kept by an earlier `--keep` run, migrated to the head revision (new indexes
    are built on the kept lots) and analysed again."""
    url = "postgresql+asyncpg://" + _on(server_url, name).split("://", 1)[1]
    print(f"Reusing the PostgreSQL database {name}: migrating it to the head revision ...")
    started = time.perf_counter()
    upgrade_database(url)
    await _vacuum_analyze(url)
    print(f"  migrated and analysed in {time.perf_counter() - started:.1f} s")
    return url


async def postgres_size(url: str) -> str:
    connection = await asyncpg.connect(_plain(url))
    try:
        size = await connection.fetchval("SELECT pg_database_size(current_database())")
    finally:
        await connection.close()
    return f"{size / 1e6:,.0f} MB"


async def drop_postgres(server_url: str, url: str) -> None:
    admin = await asyncpg.connect(_plain(server_url))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database_name(url)}"')
    finally:
        await admin.close()
