"""Appending to the audit log, in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from exchange.audit.canonical import GENESIS, canonical_json, canonical_time, chain_hash, record_bytes
from exchange.audit.models import AuditCheckpoint, AuditRecord

__all__ = ["Checkpoint", "Head", "head", "latest_checkpoint", "record"]

ADVISORY_LOCK_KEY = 0x61756469746C6F67
"""PostgreSQL advisory lock ('auditlog' in ASCII) that serialises appends until each transaction ends."""

Head = tuple[int, bytes]
"""(size, hash of the last record as raw bytes): (0, GENESIS) for an empty log."""


async def _lock_log(session: AsyncSession) -> None:
    """Hold the log's tail for the rest of this transaction, so that seq and hash follow the last commit.

    PostgreSQL: a transaction-scoped advisory lock (re-entrant within the transaction). SQLite: a write
    statement matching no row takes the database's write lock, which serialises every writer (the
    driver begins the transaction at the first write, so no older read snapshot is in the way)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
    else:
        await session.execute(
            update(AuditRecord)
            .where(AuditRecord.seq < 0)
            .values(seq=AuditRecord.seq)
            .execution_options(synchronize_session=False)
        )


_TAIL = "exchange.audit.tail"
"""session.info key: (transaction, seq, hash) of the last record this transaction appended."""


def _forget_tail(session: Session, _transaction: object) -> None:
    session.info.pop(_TAIL, None)


async def _tail(session: AsyncSession) -> Head:
    """The log's tail for the next append: locked and read on the transaction's first append, then
    remembered until any transaction or savepoint of the session ends (a rolled-back savepoint must not
    leave a gap), so a close that records a hundred bids reads it once."""
    remembered = session.info.get(_TAIL)
    if remembered is not None and remembered[0] is session.get_transaction():
        return remembered[1], remembered[2]
    if not event.contains(session.sync_session, "after_transaction_end", _forget_tail):
        event.listen(session.sync_session, "after_transaction_end", _forget_tail)
    await _lock_log(session)
    return await head(session)


async def head(session: AsyncSession) -> Head:
    """The log's size and last hash as this transaction sees them."""
    row = (
        await session.execute(select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq.desc()).limit(1))
    ).first()
    return (0, GENESIS) if row is None else (int(row[0]), bytes.fromhex(row[1]))


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
) -> int:
    """Append one record in the caller's transaction (no commit) and return its sequence number.

    `actor` is "org:3", "user:5", "admin:1", "clock", "provider:<name>" or "system"; `before` and
    `after` are the JSON-like states (times, Decimals and sets are made canonical). Appends are
    serialised until the caller's transaction ends: call this late in a transaction, after its other
    row locks, and keep the transaction short.
    """
    size, previous = await _tail(session)
    seq = size + 1
    when = canonical_time(at)
    before_text = None if before is None else canonical_json(before).decode()
    after_text = None if after is None else canonical_json(after).decode()
    body = record_bytes(seq, when, actor, object_type, object_id, action, before_text, after_text)
    digest = chain_hash(previous, body)
    await session.execute(
        insert(AuditRecord).values(
            seq=seq,
            at=when,
            actor=actor,
            object_type=object_type,
            object_id=object_id,
            action=action,
            before=before_text,
            after=after_text,
            hash=digest.hex(),
        )
    )
    session.info[_TAIL] = (session.get_transaction(), seq, digest)
    return seq


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed statement that the log had `size` records ending in `head_hash` (print it on statements)."""

    size: int
    head_hash: str
    signature: str
    key_id: str
    created_at: datetime

    def line(self) -> str:
        """One line for a printed statement."""
        return (
            f"Audit checkpoint: {self.size} records, head {self.head_hash}, "
            f"signed {canonical_time(self.created_at)} by key {self.key_id[:16]} (Ed25519 {self.signature[:32]}…)"
        )


async def latest_checkpoint(session: AsyncSession) -> Checkpoint | None:
    """The latest signed checkpoint of the audit log, or None before the first one."""
    row = (
        await session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.size.desc()).limit(1))
    ).scalar_one_or_none()
    if row is None:
        return None
    return Checkpoint(row.size, row.head_hash, row.signature, row.key_id, row.created_at)
