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
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit.canonical import GENESIS, record_bytes
from exchange.audit.models import AuditCheckpoint
from exchange.audit.services import Checkpoint
from exchange.audit.signing import PublicKey, checkpoint_message, key_id_of

__all__ = ["BATCH_ROWS", "Report", "verify_log"]


class Signed(Protocol):
    @property
    def size(self) -> int: ...
    @property
    def head_hash(self) -> str: ...
    @property
    def signature(self) -> str: ...
    @property
    def key_id(self) -> str: ...


MISMATCH = "hash does not match its content and the record before (edited, inserted or reordered)"

BATCH_ROWS = 20_000
"""Rows fetched per round trip while streaming the log."""


@dataclass(slots=True)
class Report:
    size: int = 0
    checkpoints: int = 0
    journal: int = 0
    """Checkpoints read from the journal outside the database."""
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


async def verify_log(
    session: AsyncSession,
    public_key: PublicKey | Sequence[PublicKey] | None = None,
    *,
    journal: Sequence[Checkpoint] = (),
    max_violations: int = 20,
) -> Report:
    """Check the whole log against the checkpoints in the database and those of the `journal` kept
        outside it (`journal.read_journal`), each signed by `public_key` (or by one of several, when the key
    was replaced); None skips the signature checks (not the sizes
        and hashes)."""
    report = Report()
    keys = None if public_key is None else _by_id([public_key] if isinstance(public_key, PublicKey) else public_key)
    stored = (await session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.size))).scalars().all()
    signed: dict[int, str] = {}
    for checkpoint in stored:
        report.checkpoints += 1
        signed[checkpoint.size] = checkpoint.head_hash
        _check_signature(report, "checkpoint", checkpoint, keys, max_violations)
    for copy in journal:
        report.journal += 1
        _check_signature(report, "journal checkpoint", copy, keys, max_violations)
        if copy.size not in signed:
            report.add(f"checkpoint at size {copy.size} is in the journal but not in the database", max_violations)
            signed[copy.size] = copy.head_hash
        elif signed[copy.size] != copy.head_hash:
            report.add(f"checkpoint at size {copy.size} differs from its copy in the journal", max_violations)

    chain = _Chain(report, signed, max_violations)
    async for rows in _stream_rows(session):
        chain.check(rows)
    last = chain.expected - 1
    for size in sorted(signed):
        if size > last:
            report.add(
                f"the log ends at record {last} but a signed checkpoint has size {size} (truncated)", max_violations
            )
            break
    return report


class _Chain:
    """The hash chain walked batch by batch; the per-row loop works on locals (a million rows)."""

    def __init__(self, report: Report, signed: dict[int, str], max_violations: int) -> None:
        self.report, self.signed, self.limit = report, signed, max_violations
        self.expected = 1
        self.previous = GENESIS

    def check(self, rows: Sequence[Sequence[Any]]) -> None:
        report, signed, limit = self.report, self.signed, self.limit
        expected, previous = self.expected, self.previous
        sha256 = hashlib.sha256
        for seq, at, actor, object_type, object_id, action, before, after, stored in rows:
            if seq != expected:
                what = "missing (deleted)" if type(seq) is int and seq > expected else "out of order or repeated"
                report.add(f"record {expected}: {what}; the next record is numbered {seq}", limit)
            try:
                body = record_bytes(seq, at, actor, object_type, object_id, action, before, after)
            except (TypeError, ValueError):  # a number column holding text, say: only tampering does that
                body = b""
            previous = sha256(previous + body).digest()
            if previous.hex() != stored:
                report.add(f"record {seq}: {MISMATCH}", limit)
                previous = _bytes_of(stored)  # judge the next record on its own
            if signed and seq in signed and signed[seq] != stored:
                report.add(f"record {seq}: hash differs from the signed checkpoint at size {seq}", limit)
            expected = seq + 1 if type(seq) is int else expected + 1
        report.size += len(rows)
        self.expected, self.previous = expected, previous


def _bytes_of(stored: Any) -> bytes:
    try:
        return bytes.fromhex(stored)
    except (TypeError, ValueError):
        return GENESIS


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


def _by_id(keys: Sequence[PublicKey]) -> dict[str, PublicKey]:
    return {key_id_of(key): key for key in keys}


def _check_signature(
    report: Report, what: str, checkpoint: Signed, keys: dict[str, PublicKey] | None, limit: int
) -> None:
    if keys is None:
        return
    public_key = keys.get(checkpoint.key_id)
    if public_key is None:
        other = f"signed by key {checkpoint.key_id[:16]}…, not by the given public key"
        report.add(f"{what} at size {checkpoint.size}: {other}", limit)
        return
    try:
        message = checkpoint_message(checkpoint.size, checkpoint.head_hash)
        public_key.verify(bytes.fromhex(checkpoint.signature), message)
    except Exception:  # InvalidSignature, or a signature that is not hex
        report.add(f"{what} at size {checkpoint.size}: signature does not verify", limit)
