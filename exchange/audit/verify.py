"""`exchange audit verify`: recompute the hash chain and check it against the signed checkpoints.

Catches an edited record (its hash no longer matches), an inserted, deleted or reordered one (a gap
or a jump in `seq`, or a hash that no longer follows from the one before), a rewritten chain (the hash
at a checkpoint's size differs from the signed one), a truncation (the log is shorter than a
checkpoint), and a checkpoint whose signature does not verify with the public key.

Two ways in: `verify_log` reads through an async session (PostgreSQL, and code already holding a session);
`verify_sqlite` reads a SQLite file with the standard `sqlite3` module (the CLI: no ORM to import), and
splits the hashing over several processes for a large log. Each record's hash is checked against the
stored hash of the record before it (what the chain walked record by record compares too, as an
unbroken chain makes the two equal), so ranges of the log verify independently and their findings,
put back in order, are the same as one walk's.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import sqlite3
import threading
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from exchange.audit.canonical import GENESIS, record_bytes
from exchange.audit.signing import Checkpoint, PublicKey, checkpoint_message, key_id_of

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["BATCH_ROWS", "Report", "verify_log", "verify_sqlite"]


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
    ranges: int = 1
    """How many ranges of the log were hashed side by side (`verify_sqlite`), each in its own process."""

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
    was replaced); None skips the signature checks (not the sizes and hashes)."""
    connection = await session.connection()
    found: Sequence[Any] = (await connection.exec_driver_sql(_CHECKPOINTS_SQL)).all()
    stored = [_Stored(int(row[0]), str(row[1]), str(row[2]), str(row[3])) for row in found]
    report, chain = _begin(stored, public_key, journal, max_violations)
    async for rows in _stream_rows(session):
        chain.check(rows)
    return _end(report, chain)


def verify_sqlite(
    path: Path,
    public_key: PublicKey | Sequence[PublicKey] | None = None,
    *,
    journal: Sequence[Checkpoint] = (),
    max_violations: int = 20,
    workers: int | None = None,
    rows_per_worker: int = 250_000,
) -> Report:
    """`verify_log` over a SQLite file, read with `sqlite3` (read-only). The log is split into ranges of
    `seq` hashed by `workers` processes (default: one per CPU, at most one per `rows_per_worker` records;
    a single range is checked right here)."""
    with contextlib.closing(_open(path)) as db:
        db.execute("BEGIN")  # one snapshot for the checkpoints and the bounds
        stored = [_Stored(*row) for row in db.execute(_CHECKPOINTS_SQL)]
        report, chain = _begin(stored, public_key, journal, max_violations)
        low, high, count = db.execute("SELECT MIN(seq), MAX(seq), COUNT(*) FROM audit_log").fetchone()
        wanted = workers if workers is not None else (os.cpu_count() or 1)
        parts = max(1, min(wanted, count // max(1, rows_per_worker)))
        if parts > 1 and db.execute(_NOT_INTEGER_SQL).fetchone()[0]:
            parts = 1  # a tampered `seq` that is not an integer: one walk
        if parts == 1:
            cursor = db.execute(_ROWS_SQL)
            while rows := cursor.fetchmany(BATCH_ROWS):
                chain.check(rows)
            return _end(report, chain)
    report.ranges = parts
    step = (high - low + 1) // parts + 1
    bounds = [low + step * n for n in range(1, parts)]
    ranges = [(None if n == 0 else bounds[n - 1], bounds[n] if n < len(bounds) else None) for n in range(parts)]
    signed = chain.signed
    # Forked when this process runs no other thread (the CLI: no start-up at all); spawned beside threads,
    # where a fork may copy a lock some thread holds (then the caller's main module needs its
    # `if __name__ == "__main__":` guard, as for any use of multiprocessing).
    start = "fork" if threading.active_count() == 1 else "spawn"
    with ProcessPoolExecutor(parts, mp_context=get_context(start)) as pool:
        futures = [pool.submit(_check_range, str(path), start, end, signed, max_violations) for start, end in ranges]
        results = [future.result() for future in futures]
    for found, more, size, expected in results:
        for violation in found:
            report.add(violation, max_violations)
        report.more += more
        report.size += size
        chain.expected = expected
    return _end(report, chain)


class _Stored(NamedTuple):
    size: int
    head_hash: str
    signature: str
    key_id: str


_NOT_INTEGER_SQL = "SELECT COUNT(*) FROM audit_log WHERE typeof(seq) <> 'integer'"
_CHECKPOINTS_SQL = "SELECT size, head_hash, signature, key_id FROM audit_checkpoints ORDER BY size"


def _begin(
    stored: Sequence[_Stored],
    public_key: PublicKey | Sequence[PublicKey] | None,
    journal: Sequence[Checkpoint],
    max_violations: int,
) -> tuple[Report, _Chain]:
    """The checkpoints' signatures checked, and a chain to walk the records with."""
    report = Report()
    keys = None if public_key is None else _by_id([public_key] if isinstance(public_key, PublicKey) else public_key)
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
    return report, _Chain(report, signed, max_violations)


def _end(report: Report, chain: _Chain) -> Report:
    last = chain.expected - 1
    for size in sorted(chain.signed):
        if size > last:
            report.add(
                f"the log ends at record {last} but a signed checkpoint has size {size} (truncated)", chain.limit
            )
            break
    return report


def _open(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)


def _check_range(
    path: str, start: int | None, end: int | None, signed: dict[int, str], limit: int
) -> tuple[list[str], int, int, int]:
    """One range of the log (`start <= seq < end`; open ends: every row before, or after, in `seq`
    order), walked from the record before it: its violations (the first `limit`), how many more, its
    size, and the `seq` the record after it should have."""
    report = Report()
    chain = _Chain(report, signed, limit)
    where, params = [], {}
    with contextlib.closing(_open(Path(path))) as db:
        if start is not None:
            before = db.execute(
                "SELECT seq, hash FROM audit_log WHERE seq < :start ORDER BY seq DESC LIMIT 1", {"start": start}
            ).fetchone()
            if before is not None:
                chain.expected, chain.previous = before[0] + 1, _bytes_of(before[1])
            where.append("seq >= :start")
            params["start"] = start
        if end is not None:
            where.append("seq < :end")
            params["end"] = end
        cursor = db.execute(_ROWS_SQL.replace(" ORDER BY", f" WHERE {' AND '.join(where)} ORDER BY"), params)
        while rows := cursor.fetchmany(BATCH_ROWS):
            chain.check(rows)
    return report.violations, report.more, report.size, chain.expected


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
