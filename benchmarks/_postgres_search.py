"""The search benchmark's PostgreSQL database: a fresh database on the given server, migrated, filled with
COPY, vacuumed and analysed (index-only scans need the visibility map), dropped afterwards.

The bulk load sets aside the lot tables' indexes and constraints (all but the lots' primary key) and puts them
back from their own definitions once the rows are in: building an index once from sorted rows is many times
cheaper than keeping 20 indexes current through millions of inserts, and a foreign key is checked by one join
instead of a trigger per row."""

from __future__ import annotations

import asyncio
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
    restore = await _set_aside_indexes(url)
    engine = make_engine(DatabaseSettings(url=url))
    try:
        async with make_session_maker(engine)() as session:
            await copy_lots(session, lots)
    finally:
        await engine.dispose()
    print(f"  copied in {time.perf_counter() - started:.1f} s; putting back the indexes and keys ...")
    await _restore_indexes(url, *restore)
    print(f"  indexed in {time.perf_counter() - started:.1f} s; vacuuming and analysing ...")
    await _vacuum_analyze(url)
    print(f"  built in {time.perf_counter() - started:.1f} s ({cpu_seconds() - cpu_started:.1f} s CPU)")
    return url


_BULK_TABLES = ["lots", "lot_spec_values", "lot_terms", "lot_invites"]
_KEPT = "pk_lots"  # other tables' foreign keys point at it


async def _set_aside_indexes(url: str) -> tuple[list[str], list[str]]:
    """Drop the lot tables' indexes, primary keys and foreign keys (but `pk_lots`); the statements that put
    them back: (indexes and primary keys, foreign keys)."""
    connection = await asyncpg.connect(_plain(url))
    try:
        constraints = await connection.fetch(
            "SELECT conrelid::regclass::text AS tbl, conname, contype, pg_get_constraintdef(oid) AS definition "
            "FROM pg_constraint WHERE conrelid::regclass::text = ANY($1::text[]) AND contype IN ('p', 'u', 'f') "
            "AND conname <> $2 ORDER BY contype = 'f' DESC",
            _BULK_TABLES,
            _KEPT,
        )
        indexes = await connection.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY($1::text[]) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            _BULK_TABLES,
        )
        for row in constraints:
            await connection.execute(f'ALTER TABLE "{row["tbl"]}" DROP CONSTRAINT "{row["conname"]}"')
        for row in indexes:
            await connection.execute(f'DROP INDEX "{row["indexname"]}"')
    finally:
        await connection.close()
    keys = [
        f'ALTER TABLE "{row["tbl"]}" ADD CONSTRAINT "{row["conname"]}" {row["definition"]}'
        for row in constraints
        if row["contype"] != "f"
    ]
    foreign = [
        f'ALTER TABLE "{row["tbl"]}" ADD CONSTRAINT "{row["conname"]}" {row["definition"]}'
        for row in constraints
        if row["contype"] == "f"
    ]
    return [row["indexdef"] for row in indexes] + keys, foreign


async def _restore_indexes(url: str, indexes: list[str], foreign_keys: list[str]) -> None:
    """Build the indexes on two connections side by side (one per core), then check the foreign keys."""

    async def run(statements: list[str]) -> None:
        connection = await asyncpg.connect(_plain(url))
        try:
            await connection.execute("SET maintenance_work_mem = '512MB'")
            while statements:
                await connection.execute(statements.pop(0))
        finally:
            await connection.close()

    queue = list(indexes)  # shared: each connection takes the next statement
    await asyncio.gather(run(queue), run(queue))
    await run(list(foreign_keys))


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
