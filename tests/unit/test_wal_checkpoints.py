"""The bid journal's WAL checkpoints run in the background, not inside its commits."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from exchange.db.wal import WalCheckpointer


def _writer(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA wal_autocheckpoint=0")
    connection.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT)")
    return connection


def test_commits_leave_the_log_alone_and_the_checkpointer_copies_it_into_the_database(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    writer = _writer(path)
    for _ in range(20):
        writer.execute("BEGIN IMMEDIATE")
        writer.executemany("INSERT INTO rows (body) VALUES (?)", [("x" * 500,)] * 50)
        writer.execute("COMMIT")
    database_before = path.stat().st_size
    assert Path(f"{path}-wal").stat().st_size > 400_000  # no commit checkpointed it

    checkpointer = WalCheckpointer(str(path), every_seconds=0.0)
    checkpointer.after_write()
    assert checkpointer._running is not None
    checkpointer._running.result(timeout=10)
    checkpointer.close()

    assert path.stat().st_size > database_before + 400_000  # the rows are in the database file now
    busy, frames, done = writer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert (busy, frames) == (0, done)  # nothing left to copy
    assert writer.execute("SELECT count(*) FROM rows").fetchone() == (1000,)
    writer.close()


def test_at_most_one_checkpoint_per_interval(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    _writer(path).close()
    checkpointer = WalCheckpointer(str(path), every_seconds=3600.0)
    checkpointer.after_write()
    assert checkpointer._running is None  # the interval has not passed since it was made
    checkpointer.close()


def test_a_log_past_the_limit_is_emptied_so_that_commits_start_it_again_from_its_beginning(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    writer = _writer(path)
    reader = sqlite3.connect(path, isolation_level=None)
    checkpointer = WalCheckpointer(str(path), every_seconds=0.0, restart_bytes=200_000)
    for _round in range(5):
        for _ in range(10):
            writer.execute("BEGIN IMMEDIATE")
            writer.executemany("INSERT INTO rows (body) VALUES (?)", [("x" * 500,)] * 50)
            writer.execute("COMMIT")
        assert reader.execute("SELECT count(*) FROM rows").fetchone()[0] > 0  # readers come and go
        checkpointer.after_write()
        assert checkpointer._running is not None
        checkpointer._running.result(timeout=10)
    checkpointer.close()
    assert Path(f"{path}-wal").stat().st_size == 0  # emptied, not grown to 2.5 MB
    assert writer.execute("SELECT count(*) FROM rows").fetchone() == (2500,)
    writer.close()
    reader.close()
