"""`exchange audit verify`: recompute the hash chain and check it against the signed checkpoints.

Catches an edited record (its hash no longer matches), an inserted, deleted or reordered one (a gap
or a jump in `seq`, or a hash that no longer follows from the one before), a rewritten chain (the hash
at a checkpoint's size differs from the signed one), a truncation (the log is shorter than a
checkpoint), and a checkpoint whose signature does not verify with the public key.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit.canonical import GENESIS, record_bytes
from exchange.audit.models import AuditCheckpoint
from exchange.audit.signing import PublicKey, checkpoint_message, key_id_of

__all__ = ["BATCH_ROWS", "Report", "verify_log"]

MISMATCH = "hash does not match its content and the record before (edited, inserted or reordered)"

BATCH_ROWS = 20_000
"""Rows fetched per round trip while streaming the log."""


@dataclass(slots=True)
class Report:
    size: int = 0
    checkpoints: int = 0
    violations: list[str] = field(default_factory=list)
    more: int = 0
    """Violations found beyond the first `max_violations` (counted, not listed)."""

    @property
    def ok(self) -> bool:
        return not self.violations

    def add(self, violation: str, limit: int) -> None:
        if len(self.violations) < limit:
            self.violations.append(violation)
        else:
            self.more += 1


async def verify_log(session: AsyncSession, public_key: PublicKey | None = None, *, max_violations: int = 20) -> Report:
    """Check the whole log; `public_key` None skips the signature checks (not their sizes and hashes)."""
    report = Report()
    checkpoints = (await session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.size))).scalars().all()
    signed: dict[int, str] = {}
    for checkpoint in checkpoints:
        report.checkpoints += 1
        signed[checkpoint.size] = checkpoint.head_hash
        if public_key is not None:
            problem = _signature_problem(checkpoint, public_key)
            if problem:
                report.add(f"checkpoint at size {checkpoint.size}: {problem}", max_violations)

    expected = 1
    previous = GENESIS
    sha256 = hashlib.sha256
    async for rows in _stream_rows(session):
        for seq, at, actor, object_type, object_id, action, before, after, stored in rows:
            if seq != expected:
                what = "missing (deleted)" if seq > expected else "out of order or repeated"
                report.add(f"record {expected}: {what}; the next record is numbered {seq}", max_violations)
            digest = sha256(previous + record_bytes(seq, at, actor, object_type, object_id, action, before, after))
            if digest.hexdigest() == stored:
                previous = digest.digest()
            else:
                report.add(f"record {seq}: {MISMATCH}", max_violations)
                previous = bytes.fromhex(stored)
            if signed and seq in signed and signed[seq] != stored:
                report.add(f"record {seq}: hash differs from the signed checkpoint at size {seq}", max_violations)
            expected = seq + 1
            report.size += 1
    last = expected - 1
    for size in sorted(signed):
        if size > last:
            report.add(
                f"the log ends at record {last} but a signed checkpoint has size {size} (truncated)", max_violations
            )
            break
    return report


_ROWS_SQL = "SELECT seq, at, actor, object_type, object_id, action, before, after, hash FROM audit_log ORDER BY seq"


async def _stream_rows(session: AsyncSession) -> AsyncIterator[Sequence[Sequence[Any]]]:
    """The log's rows in `seq` order, `BATCH_ROWS` at a time, straight from the driver: SQLAlchemy's
    rows would cost more than the hashing. One statement, so one snapshot: aiosqlite's cursor in its
    thread, asyncpg's server-side cursor in the session's transaction (which the caller has begun).
    The next batch is fetched while the caller hashes this one."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    if connection.dialect.name == "postgresql":
        cursor = await driver.cursor(_ROWS_SQL)
        fetch = cursor.fetch
    else:
        cursor = await driver.execute(_ROWS_SQL)
        fetch = cursor.fetchmany
    pending = asyncio.ensure_future(fetch(BATCH_ROWS))
    try:
        while rows := await pending:
            pending = asyncio.ensure_future(fetch(BATCH_ROWS))
            yield rows
    finally:
        if not pending.done():
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending
        if connection.dialect.name != "postgresql":
            await cursor.close()


def _signature_problem(checkpoint: AuditCheckpoint, public_key: PublicKey) -> str | None:
    if checkpoint.key_id != key_id_of(public_key):
        return f"signed by key {checkpoint.key_id[:16]}…, not by the given public key"
    try:
        message = checkpoint_message(checkpoint.size, checkpoint.head_hash)
        public_key.verify(bytes.fromhex(checkpoint.signature), message)
    except Exception:  # InvalidSignature, or a signature that is not hex
        return "signature does not verify"
    return None
