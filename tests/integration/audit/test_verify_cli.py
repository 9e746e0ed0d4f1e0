"""`exchange audit verify` on tampered copies of a SQLite database (triggers dropped, as an intruder with
the file would): each way of tampering is caught and named, exit 1; the untouched log passes, exit 0."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from exchange.audit import record
from exchange.audit.canonical import chain_hash, record_bytes
from exchange.audit.checkpoints import write_checkpoint
from exchange.audit.journal import append_checkpoint, journal_path, read_journal
from exchange.audit.signing import load_or_create_key, read_public_key
from exchange.audit.verify import verify_sqlite
from exchange.cli import main
from exchange.db.engine import make_engine, make_session_maker
from exchange.db.migrate import upgrade_database
from exchange.settings import Settings

START = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)
SIGNED_SIZE = 10
SIZE = 12


async def _fill(url: str, key_path: Path) -> None:
    engine = make_engine(Settings.from_env({"DATABASE_URL": url}).database)
    session_maker = make_session_maker(engine)
    try:
        for n in range(1, SIZE + 1):
            async with session_maker() as session, session.begin():
                await record(
                    session,
                    actor=f"org:{n}",
                    object_type="lot",
                    object_id=100 + n,
                    action="publish",
                    before={"status": "draft"},
                    after={"status": "live"},
                    at=START + timedelta(minutes=n),
                )
            if n == SIGNED_SIZE:
                async with session_maker() as session, session.begin():
                    written = await write_checkpoint(
                        session, load_or_create_key(key_path), at=START + timedelta(minutes=n)
                    )
                assert written is not None
                append_checkpoint(journal_path(key_path), written)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def signed_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A migrated SQLite file with 12 records and a checkpoint signed at size 10; and its key (with the
    checkpoint's copy in the journal beside it)."""
    directory = tmp_path_factory.mktemp("audit-log")
    path, key_path = directory / "exchange.db", directory / "audit-ed25519.key"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade_database(url)
    asyncio.run(_fill(url, key_path))
    return path, key_path


def _rehash_from(connection: sqlite3.Connection, first: int) -> None:
    """What a careful intruder does after an edit: recompute every hash from there on."""
    previous = bytes.fromhex(connection.execute("SELECT hash FROM audit_log WHERE seq = ?", (first - 1,)).fetchone()[0])
    rows = connection.execute(
        "SELECT seq, at, actor, object_type, object_id, action, before, after FROM audit_log WHERE seq >= ? "
        "ORDER BY seq",
        (first,),
    ).fetchall()
    for row in rows:
        previous = chain_hash(previous, record_bytes(*row))
        connection.execute("UPDATE audit_log SET hash = ? WHERE seq = ?", (previous.hex(), row[0]))


def _insert_at(connection: sqlite3.Connection, seq: int) -> None:
    for (number,) in connection.execute(
        "SELECT seq FROM audit_log WHERE seq >= ? ORDER BY seq DESC", (seq,)
    ).fetchall():
        connection.execute("UPDATE audit_log SET seq = seq + 1 WHERE seq = ?", (number,))
    connection.execute(
        "INSERT INTO audit_log (seq, at, actor, object_type, object_id, action, before, after, hash) "
        "VALUES (?, '2026-12-06T20:04:30.000000Z', 'admin:1', 'lot', 999, 'approve', NULL, NULL, ?)",
        (seq, "00" * 32),
    )


def _swap(connection: sqlite3.Connection, a: int, b: int) -> None:
    connection.execute("UPDATE audit_log SET seq = -1 WHERE seq = ?", (a,))
    connection.execute("UPDATE audit_log SET seq = ? WHERE seq = ?", (a, b))
    connection.execute("UPDATE audit_log SET seq = ? WHERE seq = -1", (b,))


Tamper = Callable[[sqlite3.Connection], object]

CASES: dict[str, tuple[Tamper, str]] = {
    "edited content": (
        lambda c: c.execute("""UPDATE audit_log SET after = '{"status":"withdrawn"}' WHERE seq = 4"""),
        "record 4: hash does not match",
    ),
    "edited actor": (lambda c: c.execute("UPDATE audit_log SET actor = 'admin:9' WHERE seq = 7"), "record 7: hash"),
    "inserted": (lambda c: _insert_at(c, 5), "record 5: hash does not match"),
    "deleted": (lambda c: c.execute("DELETE FROM audit_log WHERE seq = 6"), "record 6: missing (deleted)"),
    "reordered": (lambda c: _swap(c, 3, 4), "record 3: hash does not match"),
    "truncated behind the checkpoint": (
        lambda c: c.execute("DELETE FROM audit_log WHERE seq > 8"),
        "the log ends at record 8 but a signed checkpoint has size 10 (truncated)",
    ),
    "edited and every later hash recomputed": (
        lambda c: (c.execute("UPDATE audit_log SET actor = 'org:666' WHERE seq = 2"), _rehash_from(c, 2)),
        "record 10: hash differs from the signed checkpoint",
    ),
    "malformed columns": (
        lambda c: (
            c.execute("UPDATE audit_log SET object_id = 'x', hash = 'not hex' WHERE seq = 5"),
            c.execute("UPDATE audit_log SET seq = 'twelve' WHERE seq = 12"),
        ),
        "record 5: hash does not match",
    ),
    "checkpoints deleted, then the log truncated": (
        lambda c: (c.execute("DELETE FROM audit_checkpoints"), c.execute("DELETE FROM audit_log WHERE seq > 8")),
        "checkpoint at size 10 is in the journal but not in the database",
    ),
    "checkpoint forged": (
        lambda c: c.execute("UPDATE audit_checkpoints SET size = 9"),
        "checkpoint at size 9: signature does not verify",
    ),
}


def _verify(database: Path, key_path: Path) -> tuple[int, str]:
    env = {
        "DATA_DIR": str(database.parent),
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "AUDIT_KEY_PATH": str(key_path),
    }
    result = CliRunner().invoke(main, ["audit", "verify"], env=env)
    return result.exit_code, result.output


def test_the_untouched_log_verifies(signed_log: tuple[Path, Path]) -> None:
    code, output = _verify(*signed_log)
    assert code == 0, output
    assert output.startswith(f"OK: {SIZE} records, 1 checkpoint(s), 1 in the journal, signatures checked")


@pytest.mark.parametrize("case", list(CASES))
def test_each_tampering_is_caught(signed_log: tuple[Path, Path], tmp_path: Path, case: str) -> None:
    source, key_path = signed_log
    copy = tmp_path / "tampered.db"
    shutil.copyfile(source, copy)
    tamper, expected = CASES[case]
    with closing(sqlite3.connect(copy)) as connection, connection:
        for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            connection.execute(f"DROP TRIGGER {name}")
        tamper(connection)
    code, output = _verify(copy, key_path)
    assert code == 1, output
    assert output.startswith("FAILED:")
    assert expected in output, output


def test_a_checkpoint_signed_by_another_key_is_refused(signed_log: tuple[Path, Path], tmp_path: Path) -> None:
    other = tmp_path / "other.key"
    load_or_create_key(other)
    code, output = _verify(signed_log[0], other)
    assert code == 1
    assert "not by the given public key" in output


def test_an_unreadable_journal_line_is_reported(signed_log: tuple[Path, Path], tmp_path: Path) -> None:
    database, key_path = signed_log
    journal = tmp_path / "journal.jsonl"
    journal.write_bytes(journal_path(key_path).read_bytes() + b'{"size": "ten"}\n')
    env = {
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "AUDIT_KEY_PATH": str(key_path),
    }
    result = CliRunner().invoke(main, ["audit", "verify", "--journal", str(journal)], env=env)
    assert result.exit_code == 1, result.output
    assert "journal line 2 cannot be read" in result.output


def test_checkpoints_of_a_replaced_key_verify_when_both_keys_are_given(
    signed_log: tuple[Path, Path], tmp_path: Path
) -> None:
    database, old_key = signed_log
    copy = tmp_path / "exchange.db"
    shutil.copyfile(database, copy)
    new_key = tmp_path / "new.key"
    url = f"sqlite+aiosqlite:///{copy}"

    async def sign_with_the_new_key() -> None:
        engine = make_engine(Settings.from_env({"DATABASE_URL": url}).database)
        try:
            async with make_session_maker(engine)() as session, session.begin():
                assert await write_checkpoint(session, load_or_create_key(new_key), at=START + timedelta(hours=1))
        finally:
            await engine.dispose()

    asyncio.run(sign_with_the_new_key())
    env = {"DATA_DIR": str(tmp_path), "DATABASE_URL": url, "AUDIT_KEY_PATH": str(new_key)}
    only_new = CliRunner().invoke(main, ["audit", "verify"], env=env)
    assert only_new.exit_code == 1
    assert "checkpoint at size 10: signed by key" in only_new.output
    both = CliRunner().invoke(
        main, ["audit", "verify", "--public-key", str(old_key), "--public-key", str(new_key)], env=env
    )
    assert both.exit_code == 0, both.output


@pytest.mark.parametrize("case", [None, *CASES])
def test_ranges_hashed_in_several_processes_find_what_one_walk_finds(
    signed_log: tuple[Path, Path], tmp_path: Path, case: str | None
) -> None:
    """A large log is split into ranges of `seq`, each checked in its own process from the record before
    it: the report (violations in order, size, truncation) is the one walk's, for every kind of tampering."""
    source, key_path = signed_log
    copy = tmp_path / "copy.db"
    shutil.copyfile(source, copy)
    if case is not None:
        with closing(sqlite3.connect(copy)) as connection, connection:
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
                connection.execute(f"DROP TRIGGER {name}")
            CASES[case][0](connection)
    key = read_public_key(key_path)
    journal, _ = read_journal(journal_path(key_path))
    one = verify_sqlite(copy, key, journal=journal, workers=1)
    split = verify_sqlite(copy, key, journal=journal, workers=3, rows_per_worker=2)
    assert one.ranges == 1
    assert split.ranges == (1 if case == "malformed columns" else 3)  # a `seq` that is not a number: one walk
    assert (split.violations, split.more, split.size) == (one.violations, one.more, one.size)
    assert split.ok == (case is None)


@pytest.mark.parametrize("command", [["audit", "verify"], ["ledger", "verify"]])
def test_a_database_that_cannot_be_read_is_named_not_a_traceback(tmp_path: Path, command: list[str]) -> None:
    env = {"DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'x.db'}"}
    result = CliRunner().invoke(main, command, env=env)
    assert result.exit_code == 1, result.output
    assert "cannot read the database at" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
