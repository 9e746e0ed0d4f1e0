"""`exchange.audit.record`: gapless sequence numbers and a hash chain, written with the caller's
transaction (not at all when it or its savepoint rolls back), also under concurrent writers and with
row locks taken in any order; the tables refuse UPDATE and DELETE on both databases."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.accounts.models import Org
from exchange.audit import record
from exchange.audit.canonical import canonical_json, chain_hash, record_bytes
from exchange.audit.models import AuditRecord
from exchange.audit.verify import verify_log

NOW = datetime(2026, 12, 6, 21, 30, tzinfo=UTC)


def _marker() -> int:
    """An object id of this test's own, to find its records among everyone's."""
    return uuid.uuid4().int % 2**40


async def _rows(db: async_sessionmaker[AsyncSession], object_id: int) -> list[AuditRecord]:
    async with db() as session:
        query = (
            select(AuditRecord)
            .where(AuditRecord.object_type == "probe", AuditRecord.object_id == object_id)
            .order_by(AuditRecord.seq)
        )
        return list(await session.scalars(query))


async def _hash_before(db: async_sessionmaker[AsyncSession], seq: int) -> bytes:
    async with db() as session:
        stored = await session.scalar(select(AuditRecord.hash).where(AuditRecord.seq == seq - 1))
    return bytes.fromhex(stored) if stored else bytes(32)


async def _chain_is_intact(db: async_sessionmaker[AsyncSession]) -> None:
    async with db() as session:
        report = await verify_log(session)
    assert report.ok, report.violations


async def test_records_follow_each_other_by_one_and_chain_their_hashes(db: async_sessionmaker[AsyncSession]) -> None:
    marker = _marker()
    async with db() as session, session.begin():
        await record(
            session,
            actor="org:3",
            object_type="probe",
            object_id=marker,
            action="publish",
            before={"status": "draft"},
            after={"status": "live", "closes_at": NOW},
            at=NOW,
        )
        await record(session, actor="clock", object_type="probe", object_id=marker, action="close", at=NOW)
    first, second = await _rows(db, marker)
    assert second.seq == first.seq + 1
    assert first.after == '{"closes_at":"2026-12-06T21:30:00.000000Z","status":"live"}'
    assert first.at == "2026-12-06T21:30:00.000000Z"
    assert (second.before, second.after) == (None, None)
    previous = await _hash_before(db, first.seq)
    for row in (first, second):
        body = record_bytes(
            row.seq, row.at, row.actor, row.object_type, row.object_id, row.action, row.before, row.after
        )
        assert body == canonical_json(
            {
                "seq": row.seq,
                "at": NOW,
                "actor": row.actor,
                "object_type": "probe",
                "object_id": marker,
                "action": row.action,
                "before": None if row.before is None else {"status": "draft"},
                "after": None if row.after is None else {"status": "live", "closes_at": NOW},
            }
        )
        previous = chain_hash(previous, body)
        assert row.hash == previous.hex()
    await _chain_is_intact(db)


async def test_a_rolled_back_change_leaves_no_record(db: async_sessionmaker[AsyncSession]) -> None:
    marker = _marker()
    async with db() as session:
        await session.begin()
        await record(session, actor="system", object_type="probe", object_id=marker, action="x", at=NOW)
        await session.rollback()
        async with session.begin():  # the session goes on: the dropped record stays dropped
            await record(session, actor="system", object_type="probe", object_id=marker, action="y", at=NOW)
    assert [row.action for row in await _rows(db, marker)] == ["y"]
    await _chain_is_intact(db)


async def test_a_rolled_back_savepoint_drops_only_its_records(db: async_sessionmaker[AsyncSession]) -> None:
    marker = _marker()
    async with db() as session, session.begin():
        await record(session, actor="system", object_type="probe", object_id=marker, action="a", at=NOW)
        async with session.begin_nested():
            await record(session, actor="system", object_type="probe", object_id=marker, action="kept", at=NOW)
        savepoint = await session.begin_nested()
        await record(session, actor="system", object_type="probe", object_id=marker, action="dropped", at=NOW)
        await savepoint.rollback()
        await record(session, actor="system", object_type="probe", object_id=marker, action="c", at=NOW)
    rows = await _rows(db, marker)
    assert [row.action for row in rows] == ["a", "kept", "c"]
    assert [row.seq - rows[0].seq for row in rows] == [0, 1, 2]
    await _chain_is_intact(db)


async def test_concurrent_writers_get_consecutive_numbers_and_one_chain(db: async_sessionmaker[AsyncSession]) -> None:
    marker = _marker()

    async def append(n: int) -> None:
        async with db() as session, session.begin():
            await record(session, actor=f"org:{n}", object_type="probe", object_id=marker, action="pay", at=NOW)
            await asyncio.sleep(0)

    await asyncio.gather(*(append(n) for n in range(20)))
    rows = await _rows(db, marker)
    assert sorted(row.actor for row in rows) == sorted(f"org:{n}" for n in range(20))
    assert len({row.seq for row in rows}) == 20
    await _chain_is_intact(db)


async def test_the_log_takes_its_lock_last_so_row_locks_in_any_order_do_not_deadlock(
    db: async_sessionmaker[AsyncSession],
) -> None:
    """A records, then waits for a row B holds; B records after taking that row. Were the log locked at
    `record`, A would hold the log waiting for B's row and B would wait for the log."""
    marker = _marker()
    async with db() as session, session.begin():
        org = Org(name=f"Lock order {marker}", kind="buyer")
        session.add(org)
    holds_row, a_recorded = asyncio.Event(), asyncio.Event()

    async def touch(session: AsyncSession) -> None:
        await session.execute(update(Org).where(Org.id == org.id).values(name=Org.name))

    async def a() -> None:
        await holds_row.wait()
        async with db() as session, session.begin():
            await record(session, actor="system", object_type="probe", object_id=marker, action="a", at=NOW)
            a_recorded.set()
            await touch(session)  # waits for B's row lock

    async def b() -> None:
        async with db() as session, session.begin():
            await touch(session)
            holds_row.set()
            await a_recorded.wait()
            await asyncio.sleep(0.2)  # A is now waiting for the row
            await record(session, actor="system", object_type="probe", object_id=marker, action="b", at=NOW)

    await asyncio.wait_for(asyncio.gather(a(), b()), 60)
    assert sorted(row.action for row in await _rows(db, marker)) == ["a", "b"]
    await _chain_is_intact(db)


@pytest.mark.parametrize("change", ["update", "delete"])
async def test_the_log_refuses_update_and_delete(db: async_sessionmaker[AsyncSession], change: str) -> None:
    marker = _marker()
    async with db() as session, session.begin():
        await record(session, actor="system", object_type="probe", object_id=marker, action="probe", at=NOW)
    (row,) = await _rows(db, marker)
    statement = (
        update(AuditRecord).where(AuditRecord.seq == row.seq).values(actor="admin:1")
        if change == "update"
        else delete(AuditRecord).where(AuditRecord.seq == row.seq)
    )
    with pytest.raises(DBAPIError, match="append-only"):
        async with db() as session, session.begin():
            await session.execute(statement.execution_options(synchronize_session=False))
    assert [kept.actor for kept in await _rows(db, marker)] == ["system"]
    async with db() as session:
        if session.get_bind().dialect.name == "postgresql":
            with pytest.raises(DBAPIError, match="append-only"):
                await session.execute(text("TRUNCATE audit_log"))
