# ruff: noqa: S608 -- the SQL text here is built from constant column names and "?" placeholders only.
"""The bid journal's SQLite transaction, and the small process that runs it (`python -m` this module).

A batch of bid revisions becomes one transaction on a plain sqlite3 connection: `BEGIN IMMEDIATE`
(the database's write lock, as the award takes it), the batch's lots that are still `live` in one row
(group_concat), multi-row INSERTs without RETURNING, and the count of changes to tell that every
revision went in. Only when one did not (Redis had diverged, rare) are the clashing rows looked up.

The worker process runs this in a child process of its own (`SqliteProcessWriter` in `writers.py`):
the child has its own GIL, so the many sqlite3 steps of a commit never wait for the busy event loop,
and the loop never stops for them. The two talk over the child's stdin and stdout in frames: a 4-byte
big-endian length, then msgpack. Request: the batch's `bid_revisions` rows (REVISION_COLUMNS order).
Answer: ["ok", live lot ids, clashed lot ids, reused rows] (clashed: nothing was written; reused: the
[lot, bidder, revision] rows whose Idempotency-Key their org already used on another lot) or ["error", class name].
The child ignores SIGINT and SIGTERM and ends when its stdin closes, so the parent always gets to
commit what it has queued before it stops; when the parent dies, its end of the pipe closes too.

Only the standard library, msgspec and `exchange.db.wal` are imported here: the child stays small.
"""

from __future__ import annotations

import signal
import sqlite3
import sys
from typing import Any, BinaryIO

import msgspec

from exchange.db.wal import WalCheckpointer

__all__ = [
    "CURRENT_COLUMNS",
    "FRAME_HEADER",
    "REVISION_COLUMNS",
    "SqliteBatchTransaction",
    "frame",
    "frame_size",
    "latest_current_rows",
    "read_frame",
    "write_frame",
]

REVISION_COLUMNS = (
    "lot_id",
    "bidder_org_id",
    "revision",
    "kind",
    "amount_minor",
    "currency",
    "placed_at_us",
    "seq",
    "rank_seq",
    "receipt",
    "nonce",
    "idempotency_key",
    "placed_by_user_id",
)
CURRENT_COLUMNS = (
    "lot_id",
    "bidder_org_id",
    "revision",
    "amount_minor",
    "currency",
    "placed_at_us",
    "rank_seq",
    "receipt",
    "nonce",
    "placed_by_user_id",
)
UPDATED_ON_REVISION = CURRENT_COLUMNS[2:]
"""Columns of `bids` that a newer revision replaces (all but the key)."""

_CURRENT_FROM_REVISION = tuple(REVISION_COLUMNS.index(name) for name in CURRENT_COLUMNS)
_LOT, _BIDDER, _REVISION, _RECEIPT, _KEY = (
    REVISION_COLUMNS.index(name) for name in ("lot_id", "bidder_org_id", "revision", "receipt", "idempotency_key")
)

_MAX_VARIABLES = 32766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999
_REVISIONS_PER_STATEMENT = max(1, min(500, _MAX_VARIABLES // len(REVISION_COLUMNS)))
_CURRENT_PER_STATEMENT = max(1, min(500, _MAX_VARIABLES // len(CURRENT_COLUMNS)))
_REVISION_ROW = "(" + ", ".join("?" * len(REVISION_COLUMNS)) + ")"
_CURRENT_ROW = "(" + ", ".join("?" * len(CURRENT_COLUMNS)) + ")"
_INSERT_REVISIONS = f"INSERT INTO bid_revisions ({', '.join(REVISION_COLUMNS)}) VALUES {{rows}} ON CONFLICT DO NOTHING"
_UPSERT_CURRENT = (
    f"INSERT INTO bids ({', '.join(CURRENT_COLUMNS)}) VALUES {{rows}} "
    "ON CONFLICT (lot_id, bidder_org_id) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in UPDATED_ON_REVISION)
    + " WHERE bids.revision < excluded.revision"
)
_STORED_RECEIPTS = (
    "SELECT lot_id, bidder_org_id, revision, receipt FROM bid_revisions "
    "WHERE lot_id IN ({lots}) AND bidder_org_id IN ({bidders})"
)
_STORED_KEYS = (
    "SELECT lot_id, bidder_org_id, idempotency_key FROM bid_revisions "
    "WHERE bidder_org_id IN ({bidders}) AND idempotency_key IN ({keys})"
)

Row = tuple[Any, ...] | list[Any]


def _insert_all(connection: sqlite3.Connection, template: str, row: str, rows: list[Row], size: int) -> None:
    """Multi-row INSERTs: one statement (one sqlite3 step) per `size` rows."""
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        connection.execute(template.format(rows=", ".join([row] * len(chunk))), [v for r in chunk for v in r])


def latest_current_rows(rows: list[Row]) -> list[Row]:
    """Each bidder's newest revision among `bid_revisions` rows, as `bids` rows (CURRENT_COLUMNS order):
    one upsert row per key (PostgreSQL requires it)."""
    latest: dict[tuple[int, int], Row] = {}
    for row in rows:
        key = (row[_LOT], row[_BIDDER])
        if key not in latest or latest[key][_REVISION] < row[_REVISION]:
            latest[key] = row
    return [tuple(row[i] for i in _CURRENT_FROM_REVISION) for row in latest.values()]


class SqliteBatchTransaction:
    """One sqlite3 connection (made on first use, made afresh after an error) that commits batches."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._checkpoints = WalCheckpointer(path)

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        # synchronous=FULL: a commit is on disk before it returns. wal_autocheckpoint=0: this connection's
        # commits never run a checkpoint; the WalCheckpointer does, on its own thread (exchange/db/wal.py).
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "foreign_keys=ON",
            "busy_timeout=10000",
            "wal_autocheckpoint=0",
        ):
            connection.execute(f"PRAGMA {pragma}")
        return connection

    def write(self, rows: list[Row]) -> tuple[list[int], list[int], list[Row]]:
        """Commit the rows of live lots: (live lot ids, [], []); or, when some revision was already taken with
        other content or some Idempotency-Key by another lot, roll back and return (live lot ids, clashed lot
        ids, [lot, bidder, revision] of the rows whose key was taken). sqlite3 errors propagate."""
        connection = self._connection = self._connection or self._connect()
        ids = sorted({row[_LOT] for row in rows})
        try:
            connection.execute("BEGIN IMMEDIATE")
            query = f"SELECT group_concat(id) FROM lots WHERE status = 'live' AND id IN ({', '.join('?' * len(ids))})"
            (listed,) = connection.execute(query, ids).fetchone()
            live = {int(lot_id) for lot_id in listed.split(",")} if listed else set()
            kept = [row for row in rows if row[_LOT] in live]
            if kept:
                before = connection.total_changes
                _insert_all(connection, _INSERT_REVISIONS, _REVISION_ROW, kept, _REVISIONS_PER_STATEMENT)
                if connection.total_changes - before != len(kept):
                    missing = self._missing(connection, kept)
                    reused = self._reused_keys(connection, missing)
                    connection.execute("ROLLBACK")
                    return sorted(live), sorted({row[_LOT] for row in missing}), reused
                current = latest_current_rows(kept)
                _insert_all(connection, _UPSERT_CURRENT, _CURRENT_ROW, current, _CURRENT_PER_STATEMENT)
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            self.close_connection()  # start from a fresh connection next time
            raise
        self._checkpoints.after_write()
        return sorted(live), [], []

    @staticmethod
    def _missing(connection: sqlite3.Connection, rows: list[Row]) -> list[Row]:
        """The rows that did not go in: their revision (or Idempotency-Key) was already taken by another
        acceptance. A row of this batch is in the table with its own receipt, which is unique."""
        lots = sorted({row[_LOT] for row in rows})
        bidders = sorted({row[_BIDDER] for row in rows})
        query = _STORED_RECEIPTS.format(lots=", ".join("?" * len(lots)), bidders=", ".join("?" * len(bidders)))
        stored = {(r[0], r[1], r[2], r[3]) for r in connection.execute(query, [*lots, *bidders])}
        return [row for row in rows if (row[_LOT], row[_BIDDER], row[_REVISION], row[_RECEIPT]) not in stored]

    @staticmethod
    def _reused_keys(connection: sqlite3.Connection, missing: list[Row]) -> list[Row]:
        """[lot, bidder, revision] of the missing rows whose Idempotency-Key their org used on another lot."""
        keyed = [row for row in missing if row[_KEY] is not None]
        if not keyed:
            return []
        bidders = sorted({row[_BIDDER] for row in keyed})
        keys = sorted({row[_KEY] for row in keyed})
        query = _STORED_KEYS.format(bidders=", ".join("?" * len(bidders)), keys=", ".join("?" * len(keys)))
        taken = {(r[1], r[2]): r[0] for r in connection.execute(query, [*bidders, *keys])}
        return [
            [row[_LOT], row[_BIDDER], row[_REVISION]]
            for row in keyed
            if taken.get((row[_BIDDER], row[_KEY]), row[_LOT]) != row[_LOT]
        ]

    def close_connection(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def close(self) -> None:
        self.close_connection()
        self._checkpoints.close()


FRAME_HEADER = 4
"""Bytes of a frame's big-endian length prefix."""


def frame(message: Any) -> bytes:
    """One message as it goes over the pipe, in either direction."""
    payload = msgspec.msgpack.encode(message)
    return len(payload).to_bytes(FRAME_HEADER, "big") + payload


def frame_size(header: bytes) -> int:
    return int.from_bytes(header, "big")


def write_frame(stream: BinaryIO, message: Any) -> None:
    stream.write(frame(message))
    stream.flush()


def read_frame(stream: BinaryIO) -> Any:
    """The next message, or None at the end of the stream."""
    header = stream.read(FRAME_HEADER)
    if len(header) < FRAME_HEADER:
        return None
    return msgspec.msgpack.decode(stream.read(frame_size(header)))


def serve(path: str, requests: BinaryIO, answers: BinaryIO) -> None:
    """Commit each batch read from `requests` and answer on `answers`, until `requests` ends."""
    transaction = SqliteBatchTransaction(path)
    try:
        while (rows := read_frame(requests)) is not None:
            try:
                live, clashed, reused = transaction.write(rows)
                write_frame(answers, ["ok", live, clashed, reused])
            except sqlite3.Error as error:
                write_frame(answers, ["error", type(error).__name__])
    finally:
        transaction.close()


def main() -> None:
    # The parent decides when this process ends (by closing its stdin), after its last commit.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    serve(sys.argv[1], sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    main()
