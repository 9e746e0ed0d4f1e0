"""Appending to the audit log, in the caller's transaction.

`record` queues the record on the session; the session's commit writes every queued record first,
numbered and hashed after the last committed one. So the log's lock (a PostgreSQL advisory lock, SQLite's
write lock) is taken last in every transaction and held only through its commit: it never stands
between two other locks (no deadlock with row locks taken in any order), and appends from many
transactions do not wait for each other's work. A rolled-back transaction or savepoint drops its records.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from exchange.audit.canonical import GENESIS, canonical_json, canonical_time, record_bytes
from exchange.audit.models import AuditCheckpoint, AuditRecord
from exchange.audit.signing import Checkpoint
from exchange.db import one_hop

__all__ = ["Checkpoint", "Head", "head", "latest_checkpoint", "record"]

ADVISORY_LOCK_KEY = 0x61756469746C6F67
"""PostgreSQL advisory lock ('auditlog' in ASCII) that serialises appends until each transaction ends."""

Head = tuple[int, bytes]
"""(size, hash of the last record as raw bytes): (0, GENESIS) for an empty log."""

_PENDING = "exchange.audit.pending"
"""session.info key: [(transaction or savepoint, record columns without seq and hash), ...] in call order."""

_HEAD = select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq.desc()).limit(1)


def _head_of(row: Any) -> Head:
    return (0, GENESIS) if row is None else (int(row[0]), bytes.fromhex(row[1]))


async def head(session: AsyncSession) -> Head:
    """The log's size and last hash as this transaction sees them (records still queued not counted)."""
    return _head_of((await session.execute(_HEAD)).first())


async def record(
    session: AsyncSession,
    *,
    actor: str,
    object_type: str,
    object_id: int,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime,
) -> None:
    """Append one record in the caller's transaction: written, numbered and chained when it commits (not
    at all when it, or the savepoint it was made in, rolls back).

    `actor` is "org:3", "user:5", "admin:1", "clock", "provider:<name>" or "system"; `before` and
    `after` are the JSON-like states (times, Decimals and sets are made canonical).
    """
    sync = session.sync_session
    if sync.get_transaction() is None:
        await session.connection()  # a transaction to belong to
    _listen(type(sync))
    values = {
        "at": canonical_time(at),
        "actor": actor,
        "object_type": object_type,
        "object_id": object_id,
        "action": action,
        "before": None if before is None else canonical_json(before).decode(),
        "after": None if after is None else canonical_json(after).decode(),
    }
    owner = sync.get_nested_transaction() or sync.get_transaction()
    session.info.setdefault(_PENDING, []).append((owner, values))


_listening: set[type[Session]] = set()


def _listen(session_class: type[Session]) -> None:
    """The commit and rollback hooks, once per session class on the first record (listening per session
    cost more than the rest of `record`); they return at once for a session with nothing queued."""
    if session_class not in _listening:
        event.listen(session_class, "before_commit", _write_pending)
        event.listen(session_class, "after_soft_rollback", _drop_rolled_back)
        _listening.add(session_class)


def _drop_rolled_back(session: Session, rolled_back: SessionTransaction) -> None:
    """Forget the records queued in `rolled_back` and in savepoints within it."""
    pending = session.info.get(_PENDING)
    if not pending:
        return
    kept = [item for item in pending if not _within(item[0], rolled_back)]
    if kept:
        session.info[_PENDING] = kept
    else:
        session.info.pop(_PENDING, None)


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


def _write_pending(session: Session) -> None:
    """before_commit: write the queued records (the outermost commit only; a savepoint's release keeps them
    queued). Runs inside the async session's greenlet, so plain connection calls are fine here."""
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING, None)
    current = session.get_transaction()
    # Only this transaction's: records of one that ended around the session (a connection-level commit)
    # must not be written into another.
    pending = [item for item in pending or () if current is not None and _within(item[0], current)]
    if not pending:
        return
    one_hop.run_sync(session.connection(), _append, [values for _owner, values in pending])


_HEAD_SQL = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
_INSERT_SQL = (
    'INSERT INTO audit_log (seq, at, actor, object_type, object_id, action, "before", "after", hash) '
    "VALUES (:seq, :at, :actor, :object_type, :object_id, :action, :before, :after, :hash)"
)
_LOCK_SQL = {
    True: f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK_KEY})",
    False: "UPDATE audit_log SET seq = seq WHERE seq < 0",
}
"""Hold the log's tail until this transaction ends, so that seq and hash follow the last commit.

PostgreSQL: a transaction-scoped advisory lock. SQLite: a write statement matching no row takes the
database's write lock, which serialises every writer (the driver begins the transaction at the first
write, so no older read snapshot is in the way)."""


def _append(sql: one_hop.Statements, pending: list[dict[str, Any]]) -> None:
    """Lock the tail, number and chain the records after it, insert them in one statement (on SQLite one
    trip to the driver's thread for all of it)."""
    sql.rows(_LOCK_SQL[sql.postgres], {})
    head_rows = sql.rows(_HEAD_SQL, {})
    size, previous = _head_of(head_rows[0] if head_rows else None)
    rows = []
    sha256 = hashlib.sha256
    for seq, values in enumerate(pending, start=size + 1):
        body = record_bytes(
            seq,
            values["at"],
            values["actor"],
            values["object_type"],
            values["object_id"],
            values["action"],
            values["before"],
            values["after"],
        )
        previous = sha256(previous + body).digest()
        rows.append({**values, "seq": seq, "hash": previous.hex()})
    sql.many(_INSERT_SQL, rows)


async def latest_checkpoint(session: AsyncSession) -> Checkpoint | None:
    """The latest signed checkpoint of the audit log, or None before the first one."""
    row = (
        await session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.size.desc()).limit(1))
    ).scalar_one_or_none()
    if row is None:
        return None
    return Checkpoint(row.size, row.head_hash, row.signature, row.key_id, row.created_at)
