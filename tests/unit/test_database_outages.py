"""Which database errors are an outage (a 503 with Retry-After) and which are our fault (a logged 500)."""

from __future__ import annotations

import sqlite3

import asyncpg.exceptions
import pytest
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from exchange.errors import is_database_outage


def _from_asyncpg(error: Exception) -> DBAPIError:
    adapted = AsyncAdapt_asyncpg_dbapi.Error(str(error), error)
    return DBAPIError("SELECT 1", {}, adapted)


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.exceptions.DeadlockDetectedError("deadlock detected"),
        asyncpg.exceptions.SerializationError("could not serialize access"),
    ],
)
def test_postgresql_refusing_or_busy_is_an_outage(error: Exception) -> None:
    assert is_database_outage(_from_asyncpg(error))


def test_a_locked_sqlite_database_is_an_outage() -> None:
    assert is_database_outage(OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked")))


def test_a_broken_constraint_or_a_bad_statement_is_not_an_outage() -> None:
    assert not is_database_outage(IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed")))
    assert not is_database_outage(_from_asyncpg(asyncpg.exceptions.UndefinedColumnError("no such column")))
    assert not is_database_outage(_from_asyncpg(asyncpg.exceptions.UniqueViolationError("duplicate key")))
