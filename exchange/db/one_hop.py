"""Run a short function of SQL statements in one trip to the driver, in the caller's transaction.

aiosqlite runs every driver call in the connection's own thread: one statement through SQLAlchemy's
adapter is four hops there and back (cursor, execute, fetch, close), each a queue put, a thread wake-up
and an event-loop wake-up. On a money-moving call those hops were most of its time. `run` hands the
whole function to that thread, where it runs on the plain `sqlite3` connection: one hop for any number
of statements. On PostgreSQL the same function runs through the session (`run_sync`): each statement
is its own round trip, as any statement is.

    def work(sql: Statements, key: str) -> int | None:
        rows = sql.rows("INSERT ... ON CONFLICT (key) DO NOTHING RETURNING id", {"key": key})
        return rows[0][0] if rows else None

    entry_id = await one_hop.run(session, work, "order:12:settle")

The function must be plain SQL text with `:name` parameters that both databases read alike, hold no
await, and touch nothing but `sql` (on SQLite it runs in another thread). SQLite's driver opens the
transaction before the first write, as it does for SQLAlchemy's own statements.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.util import await_

__all__ = ["IntegrityErrors", "Statements", "run", "run_sync"]

T = TypeVar("T")

IntegrityErrors = (IntegrityError, sqlite3.IntegrityError)
"""A CHECK or unique constraint refused a statement: through SQLAlchemy (PostgreSQL) or from sqlite3."""


class Statements(Protocol):
    postgres: bool

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run one statement; its rows (none for a statement without RETURNING)."""
        ...

    def many(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run one statement for each parameter set (executemany)."""
        ...

    def time(self, value: datetime | None) -> Any:
        """A time as a bound parameter of a time column (SQLite: the text SQLAlchemy writes there)."""
        ...

    def savepoint(self) -> AbstractContextManager[None]:
        """Statements in the block are undone together when it raises (the exception goes on)."""
        ...


class _Sqlite:
    postgres = False

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql, params).fetchall()

    def many(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        self.connection.executemany(sql, rows)

    def time(self, value: datetime | None) -> Any:
        return None if value is None else _SQLITE_TIME(value)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        # A SAVEPOINT outside a transaction would begin one that its RELEASE commits: begin it first.
        if not self.connection.in_transaction:
            self.connection.execute("BEGIN")
        self.connection.execute("SAVEPOINT one_hop")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK TO one_hop")
            self.connection.execute("RELEASE one_hop")
            raise
        self.connection.execute("RELEASE one_hop")


class _Session:
    postgres = True

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        result = self.connection.execute(text(sql), params)
        return [tuple(row) for row in result] if result.returns_rows else []

    def many(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            self.connection.execute(text(sql), list(rows))

    def time(self, value: datetime | None) -> Any:
        return value

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        with self.connection.begin_nested():
            yield


async def run(session: AsyncSession, work: Callable[..., T], *args: Any) -> T:
    """`work(statements, *args)` in the session's transaction: on SQLite in one hop to the driver's thread."""
    connection = await session.connection()
    if connection.dialect.name == "sqlite":
        driver: Any = (await connection.get_raw_connection()).driver_connection
        return await driver._execute(_in_thread, driver, work, args)
    return await session.run_sync(lambda sync: work(_Session(sync.connection()), *args))


def run_sync(connection: Connection, work: Callable[..., T], *args: Any) -> T:
    """`run` for code already in SQLAlchemy's sync context (an ORM event such as before_commit)."""
    if connection.dialect.name == "sqlite":
        driver: Any = connection.connection.driver_connection
        return await_(driver._execute(_in_thread, driver, work, args))
    return work(_Session(connection), *args)


def _in_thread(driver: Any, work: Callable[..., T], args: tuple[Any, ...]) -> T:
    # `_execute` is aiosqlite's way of running a callable in the connection's thread (all its methods use it);
    # `_conn` is its sqlite3 connection, only to be used from that thread.
    return work(_Sqlite(driver._conn), *args)


def _sqlite_time_processor() -> Callable[[datetime], Any]:
    from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite

    from exchange.db.base import Base

    processor = Base.type_annotation_map[datetime]._cached_bind_processor(SQLiteDialect_aiosqlite())
    assert processor is not None
    return processor


_SQLITE_TIME = functools.lru_cache(maxsize=256)(_sqlite_time_processor())
"""Cached: the calls of one transaction mostly share their time."""
