"""Engine and session factories: SQLite in WAL mode by default, PostgreSQL through asyncpg."""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from exchange.settings import DatabaseSettings

__all__ = ["PING_AFTER_IDLE_SECONDS", "make_engine", "make_session_maker", "read_one_snapshot"]


SQLITE_CACHE_KIB = 65_536
"""Each SQLite connection's page cache (SQLite's default is 2 MiB). A search at 1 000 000 lots reads ~10 000
index and row pages; past 2 MiB each is a system call and a copy from the OS's cache again: a word's count
within a category took 30 ms with the default and 19 ms with 64 MiB. The cache fills only with pages read."""
SQLITE_MMAP_BYTES = 2_147_418_112
"""The start of the database file that SQLite reads through a memory map (the most its build allows), shared
by every connection through the OS's cache rather than copied into each one's page cache: with it, the search
benchmark's in-process p95 at 1 000 000 lots went from 48.3 to 36.8 ms (a fresh pool's caches are cold)."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    # WAL lets readers run beside the one writer; FULL makes a commit durable before it returns,
    # which the bid engine relies on ("acknowledged means durable").
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_reset(dbapi_connection: Any, _record: Any, reset_state: Any) -> None:
    """A connection back in the pool: roll back what it left open. The pool's own reset rolls back always,
    one more trip to aiosqlite's thread after every committed transaction; this skips it when sqlite3 says
    no transaction is open (read from here, between calls, while that thread waits)."""
    if reset_state.terminate_only:
        return
    sqlite_connection = getattr(getattr(dbapi_connection, "_connection", None), "_connection", None)
    if sqlite_connection is not None and not sqlite_connection.in_transaction:
        return
    dbapi_connection.rollback()


PING_AFTER_IDLE_SECONDS = 1.0
"""A pooled PostgreSQL connection that sat unused this long is pinged before it is handed out."""


def _checked_in(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(engine: AsyncEngine) -> Any:
    """The pool's pre-ping, but only for a connection idle for `PING_AFTER_IDLE_SECONDS` or more.

    SQLAlchemy's `pool_pre_ping` pings at every checkout, and on asyncpg a ping is three round trips
    (BEGIN, an empty query, ROLLBACK): more than the single SELECT of most requests, and it made the bid
    journal's batch eight round trips instead of five. A connection that was in use a moment ago is almost
    surely alive; the ones a database restart or an idle timeout closed are the ones that sat in the pool,
    and those are still pinged (and replaced, as with `pool_pre_ping`). A connection that died while in
    recent use fails its statement: SQLAlchemy then invalidates the whole pool, and the request answers
    503 `database_unavailable` (nothing changed), as any request in flight at the moment of an outage."""
    dialect = engine.sync_engine.dialect

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool drops this connection and checks out another (a fresh one if need be).
            raise exc.DisconnectionError(f"a pooled connection failed its ping ({type(error).__name__})") from None

    return checkout


# aiosqlite logs every statement with its bound values at DEBUG: sealed bid amounts must never reach a log,
# even with debug logging switched on.
logging.getLogger("aiosqlite").setLevel(logging.INFO)


class _SQLiteHints(SQLiteCompiler):
    """SQLite's statements with their table hints (`select.with_hint(Lot, "INDEXED BY ix_...", "sqlite")`), which
    SQLAlchemy's SQLite compiler leaves out: written after the table's name, as SQLite reads them."""

    def get_from_hint_text(self, table: Any, text: str | None) -> str | None:
        return text


def make_engine(settings: DatabaseSettings) -> AsyncEngine:
    # hide_parameters: bound values (bid amounts) stay out of SQL echo and of database error messages.
    kwargs: dict[str, Any] = {"echo": settings.echo, "hide_parameters": True}
    if settings.is_sqlite:
        path = settings.sqlite_path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 10}
        kwargs["pool_reset_on_return"] = None  # `_sqlite_reset` instead
    else:
        kwargs.update(pool_size=10, max_overflow=20)
    engine = create_async_engine(settings.url, **kwargs)
    if settings.is_sqlite:
        engine.sync_engine.dialect.statement_compiler = _SQLiteHints
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "reset", _sqlite_reset)
    else:
        event.listen(engine.sync_engine, "checkin", _checked_in)
        event.listen(engine.sync_engine, "checkout", _ping_if_idle(engine))
    return engine


def make_session_maker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def read_one_snapshot(session: AsyncSession) -> None:
    """Make every read of this (fresh) session see one committed state of the database.

    By default each SELECT sees the latest commit: PostgreSQL's READ COMMITTED, and SQLite's driver runs
    SELECTs outside any transaction. A reader that puts several reads together (a lot and its deposits)
    could then mix a state from before a commit with one from after it. REPEATABLE READ on PostgreSQL, and
    an explicit BEGIN on SQLite (a WAL read snapshot from the first SELECT), make the reads one snapshot.
    """
    bind = session.bind
    if bind is not None and bind.dialect.name == "sqlite":
        connection = await session.connection()
        await connection.exec_driver_sql("BEGIN")
    else:
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
