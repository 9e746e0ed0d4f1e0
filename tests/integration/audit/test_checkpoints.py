"""Signed checkpoints: written only when the log grew, once across racing workers, with a key file
kept outside the database (0600), and checked by `verify_log` with the public key."""

from __future__ import annotations

import asyncio
import stat
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.audit import latest_checkpoint, record
from exchange.audit.checkpoints import write_checkpoint
from exchange.audit.jobs import JOBS, checkpoint_log
from exchange.audit.journal import journal_path, read_journal
from exchange.audit.models import AuditCheckpoint
from exchange.audit.services import head
from exchange.audit.signing import checkpoint_message, load_or_create_key
from exchange.audit.verify import verify_log
from exchange.clock import ManualClock
from exchange.settings import Settings

NOW = datetime(2026, 12, 6, 22, 0, tzinfo=UTC)


async def _append(db: async_sessionmaker[AsyncSession], count: int = 1) -> None:
    async with db() as session, session.begin():
        for n in range(count):
            await record(session, actor="system", object_type="probe", object_id=n, action="probe", at=NOW)


async def _count(db: async_sessionmaker[AsyncSession]) -> int:
    async with db() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditCheckpoint)) or 0)


def test_the_key_lives_in_the_data_directory_unless_audit_key_path_says_otherwise(tmp_path: Path) -> None:
    settings = Settings.from_env({"DATA_DIR": str(tmp_path)})
    assert settings.audit_key_file == tmp_path / "audit-ed25519.key"
    elsewhere = Settings.from_env({"DATA_DIR": str(tmp_path), "AUDIT_KEY_PATH": str(tmp_path / "keys" / "a.key")})
    assert elsewhere.audit_key_file == tmp_path / "keys" / "a.key"
    key = load_or_create_key(elsewhere.audit_key_file)
    assert stat.S_IMODE(elsewhere.audit_key_file.stat().st_mode) == 0o600
    again = load_or_create_key(elsewhere.audit_key_file)  # made once, then read
    assert again.public_key().public_bytes_raw() == key.public_key().public_bytes_raw()


async def test_the_hourly_job_signs_only_when_the_log_grew(
    db: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    assert [job.name for job in JOBS] == ["audit.checkpoint"]
    runtime = SimpleNamespace(settings=settings, session_maker=db, clock=ManualClock(NOW))
    await _append(db)
    await checkpoint_log(runtime)  # type: ignore[arg-type]
    before = await _count(db)
    await checkpoint_log(runtime)  # type: ignore[arg-type]
    assert await _count(db) == before  # nothing new
    await _append(db, 2)
    await checkpoint_log(runtime)  # type: ignore[arg-type]
    assert await _count(db) == before + 1
    async with db() as session:
        latest = await latest_checkpoint(session)
        size, last_hash = await head(session)
    assert latest is not None
    assert (latest.size, latest.head_hash) == (size, last_hash.hex())
    assert f"{size} records" in latest.line()
    copies, unreadable = read_journal(journal_path(settings.audit_key_file))  # kept outside the database too
    assert latest in copies
    assert unreadable == []
    key = load_or_create_key(settings.audit_key_file)
    key.public_key().verify(bytes.fromhex(latest.signature), checkpoint_message(latest.size, latest.head_hash))
    async with db() as session:
        report = await verify_log(session)  # other tests sign with keys of their own in this database
    assert report.ok, report.violations
    assert report.checkpoints >= 1


async def test_racing_workers_store_one_checkpoint(db: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    key = load_or_create_key(settings.audit_key_file)
    await _append(db)
    before = await _count(db)

    async def sign() -> object:
        async with db() as session, session.begin():
            return await write_checkpoint(session, key, at=NOW)

    results = await asyncio.gather(*(sign() for _ in range(6)), return_exceptions=True)
    assert not [result for result in results if isinstance(result, BaseException)], results
    assert sum(result is not None for result in results) == 1
    assert await _count(db) == before + 1


@pytest.mark.parametrize("change", ["UPDATE audit_checkpoints SET size = size + 1", "DELETE FROM audit_checkpoints"])
async def test_checkpoints_refuse_update_and_delete(
    db: async_sessionmaker[AsyncSession], settings: Settings, change: str
) -> None:
    await _append(db)
    async with db() as session, session.begin():
        await write_checkpoint(session, load_or_create_key(settings.audit_key_file), at=NOW)
    before = await _count(db)
    with pytest.raises(DBAPIError, match="append-only"):
        async with db() as session, session.begin():
            await session.execute(text(change))
    assert await _count(db) == before
