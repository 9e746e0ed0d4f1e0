"""The bid journal's SQLite writer: the small process that commits batches (`python -m` this module).

A batch of bid revisions becomes one transaction on one sqlite3 connection: `BEGIN IMMEDIATE` (the
database's write lock, as the award takes it), then the steps of `batch_transaction.commit_batch`, the
same ones the PostgreSQL writer runs, compiled for SQLite.

The worker process runs this in a child process of its own (`SqliteProcessWriter` in `writers.py`):
the child has its own GIL, so the sqlite3 steps of a commit never wait for the busy event loop,
and the loop never stops for them. The two talk over the child's stdin and stdout in frames: a 4-byte
big-endian length, then msgpack. Request: the batch's `bid_revisions` rows (REVISION_COLUMNS order).
Answer: ["ok", live lot ids, clashed lot ids, reused rows] (clashed: nothing was written; reused: the
[lot, bidder, revision] rows whose Idempotency-Key their org already used on another lot) or ["error", class name].
The child ignores SIGINT and SIGTERM and ends when its stdin closes, so the parent always gets to
commit what it has queued before it stops; when the parent dies, its end of the pipe closes too.

The child imports SQLAlchemy Core, msgspec and `exchange.db.wal`, and nothing else of the app.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Sequence
from typing import Any, BinaryIO

import msgspec
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from exchange.auctions.batch import Clash, Row
from exchange.auctions.batch_transaction import commit_batch
from exchange.db.wal import WalCheckpointer

__all__ = ["FRAME_HEADER", "SqliteBatchTransaction", "frame", "frame_size", "read_frame", "write_frame"]

_PRAGMAS = (
    # synchronous=FULL: a commit is on disk before it returns. wal_autocheckpoint=0: this connection's
    # commits never run a checkpoint; the WalCheckpointer does, on its own thread (exchange/db/wal.py).
    "journal_mode=WAL",
    "synchronous=FULL",
    "foreign_keys=ON",
    "busy_timeout=10000",
    "wal_autocheckpoint=0",
)


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # sqlite3 begins nothing by itself: BEGIN IMMEDIATE below does
    for pragma in _PRAGMAS:
        dbapi_connection.execute(f"PRAGMA {pragma}")


def _begin_immediate(connection: Connection) -> None:
    connection.connection.dbapi_connection.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]


def sqlite_engine(path: str) -> Engine:
    """SQLite connections whose transactions begin with BEGIN IMMEDIATE (SQLAlchemy's recipe for pysqlite)."""
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 10}, hide_parameters=True, poolclass=NullPool)
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _begin_immediate)
    return engine


class SqliteBatchTransaction:
    """Commits batches on one connection (made on first use, made afresh after an error)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._engine = sqlite_engine(path)
        self._connection: Connection | None = None
        self._checkpoints = WalCheckpointer(path)

    def write(self, rows: Sequence[Row]) -> tuple[list[int], list[int], list[list[int]]]:
        """Commit the rows of live lots: (live lot ids, [], []); or, when some revision was already taken with
        other content or some Idempotency-Key by another lot, roll back and return (live lot ids, clashed lot
        ids, [lot, bidder, revision] of the rows whose key was taken). Database errors propagate."""
        connection = self._connection = self._connection or self._engine.connect()
        try:
            with connection.begin():
                live = commit_batch(connection, rows)
        except Clash as clash:
            return sorted(clash.live), sorted(clash.clashed), [list(row) for row in sorted(clash.reused)]
        except BaseException:
            self.close_connection()  # start from a fresh connection next time
            raise
        self._checkpoints.after_write()
        return sorted(live), [], []

    def close_connection(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._engine.dispose()

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


def _error_name(error: SQLAlchemyError) -> str:
    """The class name of the driver's error (never its text: it may carry bound bid amounts)."""
    return type(error.orig).__name__ if isinstance(error, DBAPIError) else type(error).__name__


def serve(path: str, requests: BinaryIO, answers: BinaryIO) -> None:
    """Commit each batch read from `requests` and answer on `answers`, until `requests` ends."""
    transaction = SqliteBatchTransaction(path)
    try:
        while (rows := read_frame(requests)) is not None:
            try:
                live, clashed, reused = transaction.write(rows)
                write_frame(answers, ["ok", live, clashed, reused])
            except SQLAlchemyError as error:
                write_frame(answers, ["error", _error_name(error)])
    finally:
        transaction.close()


def main() -> None:
    # The parent decides when this process ends (by closing its stdin), after its last commit.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    serve(sys.argv[1], sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    main()
