"""The ledger's hot statements, one SQL text for both databases, and where they run.

On SQLite each statement goes straight to aiosqlite's connection of the caller's transaction: one hop to
its thread instead of four through SQLAlchemy's adapter (a posting is three statements; the hops were
most of its time). On PostgreSQL they run as `text()` through the caller's session. Either way they are
in the caller's transaction (SQLite's driver opens it before the first write, as for SQLAlchemy's own).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.ledger.models import LedgerEntry

__all__ = [
    "CLAIM",
    "END_HOLD",
    "INSERT_HOLD",
    "INSERT_LINE",
    "REPLAY",
    "Db",
    "IntegrityErrors",
    "update_balances",
]

IntegrityErrors = (IntegrityError, sqlite3.IntegrityError)
"""A CHECK or unique constraint refused a statement: through SQLAlchemy, or straight from SQLite."""

REPLAY = "SELECT id, kind, fingerprint, hold_id FROM ledger_entries WHERE key = :key"
CLAIM = (
    "INSERT INTO ledger_entries (key, kind, fingerprint, hold_id, order_id, memo, at) "
    "VALUES (:key, :kind, :fingerprint, :hold_id, :order_id, :memo, :at) "
    "ON CONFLICT (key) DO NOTHING RETURNING id"
)
INSERT_LINE = (
    "INSERT INTO ledger_lines (entry_id, currency, account_id, direction, amount_minor) "
    "VALUES (:entry_id, :currency, :account_id, :direction, :amount_minor)"
)
INSERT_HOLD = (
    "INSERT INTO ledger_holds (id, from_account_id, to_account_id, amount_minor, posted_minor, status, "
    "expires_at, created_at) VALUES (:id, :from_account_id, :to_account_id, :amount_minor, 0, 'pending', "
    ":expires_at, :created_at)"
)
END_HOLD = (
    "UPDATE ledger_holds SET status = :status, posted_minor = {posted}, resolved_at = :at "
    "WHERE id = :hold_id AND status = 'pending'{conditions} "
    "RETURNING from_account_id, to_account_id, amount_minor, posted_minor"
)
_BALANCE_COLUMNS = (("posted", "p"), ("pending_out", "o"), ("pending_in", "i"))


def update_balances(changes: Mapping[int, Sequence[int]]) -> tuple[str, dict[str, int]]:
    """UPDATE ledger_accounts SET posted = posted + CASE id WHEN a THEN x ... END, ... WHERE id IN (...)
    RETURNING id, currency: `changes` maps an account to what it adds to (posted, pending_out, pending_in)."""
    accounts = sorted(changes)
    params = {f"a{n}": account for n, account in enumerate(accounts)}
    sets = []
    for column_index, (column, prefix) in enumerate(_BALANCE_COLUMNS):
        if not any(changes[account][column_index] for account in accounts):
            continue
        whens = []
        for n, account in enumerate(accounts):
            params[f"{prefix}{n}"] = changes[account][column_index]
            whens.append(f"WHEN :a{n} THEN CAST(:{prefix}{n} AS BIGINT)")
        sets.append(f"{column} = {column} + CASE id {' '.join(whens)} ELSE CAST(0 AS BIGINT) END")
    if not sets:  # movements that net to nothing: still finds out whether the accounts exist
        sets.append("posted = posted")
    ids = ", ".join(f":a{n}" for n in range(len(accounts)))
    sql = f"UPDATE ledger_accounts SET {', '.join(sets)} WHERE id IN ({ids}) RETURNING id, currency"  # noqa: S608
    return sql, params


@dataclass(frozen=True, slots=True)
class Db:
    session: AsyncSession
    raw: Any
    """aiosqlite's connection (SQLite), or None (PostgreSQL: through the session)."""

    @property
    def postgres(self) -> bool:
        return self.raw is None

    @classmethod
    async def of(cls, session: AsyncSession) -> Db:
        if session.get_bind().dialect.name != "sqlite":
            return cls(session, None)
        connection = await session.connection()
        return cls(session, (await connection.get_raw_connection()).driver_connection)

    async def rows(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        if self.raw is not None:
            return list(await self.raw.execute_fetchall(sql, params))
        result = await self.session.execute(text(sql), params)
        return [tuple(row) for row in result] if result.returns_rows else []  # type: ignore[attr-defined]

    async def many(self, sql: str, rows: list[dict[str, Any]]) -> None:
        if self.raw is not None:
            await self.raw.executemany(sql, rows)
        else:
            await self.session.execute(text(sql), rows)

    def time(self, value: datetime | None) -> Any:
        """A time as the column stores it (SQLite: the text SQLAlchemy's DateTimeUTC writes)."""
        if value is None or self.raw is None:
            return value
        return _SQLITE_TIME(value)


def _sqlite_time_processor() -> Any:
    from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite

    processor = LedgerEntry.__table__.c.at.type._cached_bind_processor(SQLiteDialect_aiosqlite())
    assert processor is not None
    return processor


_SQLITE_TIME = _sqlite_time_processor()
