"""The ledger's core: balanced entries, running balances, idempotent keys, two-phase holds, refusals."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.audit.models import AuditRecord
from exchange.clock import ManualClock
from exchange.errors import Conflict, NotFound, Unprocessable
from exchange.ledger import accounts
from exchange.ledger import services as ledger
from exchange.ledger.jobs import expire_holds
from exchange.ledger.models import LedgerEntry, LedgerLine
from exchange.ledger.verify import verify_ledger
from exchange.settings import Settings
from tests.support.buyers import registered_orgs

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def key(name: str) -> str:
    return f"test:{name}:{uuid.uuid4().hex}"


async def _org_accounts(
    db: async_sessionmaker[AsyncSession], settings: Settings, currency: str = "CNY"
) -> dict[str, int]:
    buyer, seller = await registered_orgs(db, settings.secret_key, "buyer", 2)
    async with db() as session, session.begin():
        return {
            "external": await ledger.account_for(session, accounts.EXTERNAL, currency),
            "revenue": await ledger.account_for(session, accounts.PLATFORM_REVENUE, currency),
            "held": await ledger.account_for(session, accounts.DEPOSITS_HELD, currency, org_id=buyer.org_id),
            "payable": await ledger.account_for(session, accounts.SELLER_PAYABLE, currency, org_id=seller.org_id),
            "credit": await ledger.account_for(session, accounts.CREDIT_RECEIVABLE, currency, org_id=buyer.org_id),
        }


async def _balance(db: async_sessionmaker[AsyncSession], account_id: int) -> ledger.Balance:
    async with db() as session:
        return await ledger.balance(session, account_id)


async def _lines(db: async_sessionmaker[AsyncSession], entry_id: int) -> list[tuple[int, int, int]]:
    async with db() as session:
        rows = await session.execute(
            select(LedgerLine.account_id, LedgerLine.direction, LedgerLine.amount_minor)
            .where(LedgerLine.entry_id == entry_id)
            .order_by(LedgerLine.account_id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_account_for_gets_or_makes_one_account_per_purpose_currency_and_owner(
    db: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    (org,) = await registered_orgs(db, settings.secret_key, "buyer", 1)
    async with db() as session, session.begin():
        first = await ledger.account_for(session, accounts.DEPOSITS_HELD, "CNY", org_id=org.org_id)
        again = await ledger.account_for(session, accounts.DEPOSITS_HELD, "CNY", org_id=org.org_id)
        in_usd = await ledger.account_for(session, accounts.DEPOSITS_HELD, "USD", org_id=org.org_id)
        payable = await ledger.account_for(session, accounts.SELLER_PAYABLE, "CNY", org_id=org.org_id)
    assert first == again
    assert len({first, in_usd, payable}) == 3
    assert await _balance(db, first) == ledger.Balance(posted=0, pending_out=0, pending_in=0)


async def test_a_post_is_one_balanced_entry_and_moves_the_running_balances(
    db: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    a = await _org_accounts(db, settings)
    async with db() as session, session.begin():
        paid = await ledger.post(
            session, key=key("pay"), moves=[ledger.Move(a["external"], a["held"], 10_000)], at=NOW, memo="paid"
        )
        split = await ledger.post(
            session,
            key=key("split"),
            moves=[ledger.Move(a["held"], a["payable"], 9_500), ledger.Move(a["held"], a["revenue"], 500)],
            at=NOW,
        )
    assert not paid.replayed
    assert paid.kind == "post"
    assert await _lines(db, split.id) == sorted(
        [(a["held"], -1, 10_000), (a["payable"], 1, 9_500), (a["revenue"], 1, 500)]
    )
    assert (await _balance(db, a["held"])).posted == 0
    assert (await _balance(db, a["payable"])).posted == 9_500
    assert (await _balance(db, a["external"])).posted <= -10_000  # the world's account is shared by every test


async def test_the_same_key_with_the_same_content_returns_the_first_entry_and_writes_nothing(
    db: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    a = await _org_accounts(db, settings)
    k = key("once")
    moves = [ledger.Move(a["external"], a["held"], 700), ledger.Move(a["external"], a["payable"], 300)]
    async with db() as session, session.begin():
        first = await ledger.post(session, key=k, moves=moves, at=NOW)
    async with db() as session, session.begin():
        again = await ledger.post(session, key=k, moves=list(reversed(moves)), at=NOW + timedelta(hours=1))
    assert again.id == first.id
    assert again.replayed
    assert (await _balance(db, a["held"])).posted == 700
    async with db() as session:
        assert await session.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.key == k)) == 1

    async with db() as session, session.begin():
        with pytest.raises(Conflict) as refused:
            await ledger.post(session, key=k, moves=[ledger.Move(a["external"], a["held"], 701)], at=NOW)
    assert refused.value.code == "ledger_key_reused"
    async with db() as session, session.begin():
        with pytest.raises(Conflict):
            await ledger.hold(session, key=k, move=moves[0], at=NOW)


async def test_two_concurrent_posts_with_one_key_make_one_entry(
    db: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    a = await _org_accounts(db, settings)
    k = key("race")

    async def pay() -> ledger.Entry:
        async with db() as session, session.begin():
            return await ledger.post(session, key=k, moves=[ledger.Move(a["external"], a["held"], 250)], at=NOW)

    results = await asyncio.gather(*(pay() for _ in range(8)))
    assert len({entry.id for entry in results}) == 1
    assert sum(not entry.replayed for entry in results) == 1
    assert (await _balance(db, a["held"])).posted == 250


async def test_an_account_that_may_not_go_negative_refuses_to_pay_more_than_it_has(
    db: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    a = await _org_accounts(db, settings)
    async with db() as session, session.begin():
        await ledger.post(session, key=key("in"), moves=[ledger.Move(a["external"], a["held"], 100)], at=NOW)
    async with db() as session, session.begin():
        with pytest.raises(Conflict) as refused:
            await ledger.post(session, key=key("out"), moves=[ledger.Move(a["held"], a["payable"], 101)], at=NOW)
    assert refused.value.code == "insufficient_funds"
    async with db() as session, session.begin():  # credit receivables go negative by what the buyer owes
        await ledger.post(session, key=key("credit"), moves=[ledger.Move(a["credit"], a["payable"], 5_000)], at=NOW)
    assert (await _balance(db, a["credit"])).posted == -5_000
    assert (await _balance(db, a["held"])).posted == 100


async def test_a_movement_between_currencies_or_unknown_accounts_is_refused(
    db: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    a = await _org_accounts(db, settings)
    async with db() as session, session.begin():
        usd = await ledger.account_for(session, accounts.EXTERNAL, "USD")
    async with db() as session, session.begin():
        with pytest.raises(Unprocessable) as refused:
            await ledger.post(session, key=key("fx"), moves=[ledger.Move(usd, a["held"], 100)], at=NOW)
        assert refused.value.code == "currency_mismatch"
        with pytest.raises(NotFound):
            await ledger.post(session, key=key("ghost"), moves=[ledger.Move(a["external"], 2**31 - 1, 1)], at=NOW)


async def test_a_hold_is_pending_until_posted_in_part_and_the_rest_returns(
    db: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    a = await _org_accounts(db, settings)
    async with db() as session, session.begin():
        await ledger.post(session, key=key("fund"), moves=[ledger.Move(a["external"], a["held"], 1_000)], at=NOW)
        hold_id = await ledger.hold(session, key=key("hold"), move=ledger.Move(a["held"], a["payable"], 800), at=NOW)
    assert await _balance(db, a["held"]) == ledger.Balance(posted=1_000, pending_out=800, pending_in=0)
    assert await _balance(db, a["payable"]) == ledger.Balance(posted=0, pending_out=0, pending_in=800)
    async with db() as session, session.begin():
        with pytest.raises(Conflict) as refused:  # 200 available only
            await ledger.hold(session, key=key("too-much"), move=ledger.Move(a["held"], a["revenue"], 201), at=NOW)
        assert refused.value.code == "insufficient_funds"

    k = key("post")
    async with db() as session, session.begin():
        posted = await ledger.post_hold(session, key=k, hold_id=hold_id, at=NOW, amount_minor=600)
    async with db() as session, session.begin():
        again = await ledger.post_hold(session, key=k, hold_id=hold_id, at=NOW, amount_minor=600)
    assert again.id == posted.id
    assert again.replayed
    assert posted.hold_id == hold_id
    assert await _lines(db, posted.id) == sorted([(a["held"], -1, 600), (a["payable"], 1, 600)])
    assert await _balance(db, a["held"]) == ledger.Balance(posted=400, pending_out=0, pending_in=0)
    assert await _balance(db, a["payable"]) == ledger.Balance(posted=600, pending_out=0, pending_in=0)
    async with db() as session, session.begin():
        with pytest.raises(Conflict) as refused:
            await ledger.void_hold(session, key=key("void"), hold_id=hold_id, at=NOW)
    assert refused.value.code == "hold_not_pending"


async def test_a_voided_hold_returns_everything_and_an_expired_one_too_once(
    db: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    a = await _org_accounts(db, settings)
    async with db() as session, session.begin():
        await ledger.post(session, key=key("fund"), moves=[ledger.Move(a["external"], a["held"], 1_000)], at=NOW)
        voided = await ledger.hold(session, key=key("h1"), move=ledger.Move(a["held"], a["payable"], 300), at=NOW)
        expiring = await ledger.hold(
            session,
            key=key("h2"),
            move=ledger.Move(a["held"], a["payable"], 500),
            at=NOW,
            expires_at=NOW + timedelta(hours=1),
        )
        await ledger.void_hold(session, key=key("void"), hold_id=voided, at=NOW)
    assert await _balance(db, a["held"]) == ledger.Balance(posted=1_000, pending_out=500, pending_in=0)
    async with db() as session, session.begin():
        assert await ledger.expire_hold(session, expiring, NOW) is None  # not due yet
    later = NOW + timedelta(hours=2)
    async with db() as session, session.begin():
        with pytest.raises(Conflict) as refused:
            await ledger.post_hold(session, key=key("late"), hold_id=expiring, at=later)
        assert refused.value.code == "hold_expired"
    async with db() as session, session.begin():
        assert await ledger.expire_hold(session, expiring, later) is not None
        assert await ledger.expire_hold(session, expiring, later) is None
    assert await _balance(db, a["held"]) == ledger.Balance(posted=1_000, pending_out=0, pending_in=0)
    assert await _balance(db, a["payable"]) == ledger.Balance(posted=0, pending_out=0, pending_in=0)


async def test_journal_lines_and_entries_refuse_update_and_delete(
    db: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    a = await _org_accounts(db, settings)
    async with db() as session, session.begin():
        entry = await ledger.post(session, key=key("x"), moves=[ledger.Move(a["external"], a["held"], 5)], at=NOW)
    for statement in (
        f"UPDATE ledger_lines SET amount_minor = 6 WHERE entry_id = {entry.id}",
        f"DELETE FROM ledger_lines WHERE entry_id = {entry.id}",
        f"UPDATE ledger_entries SET memo = 'x' WHERE id = {entry.id}",
        f"DELETE FROM ledger_entries WHERE id = {entry.id}",
    ):
        async with db() as session:
            with pytest.raises(DBAPIError, match="append-only"):
                await session.execute(text(statement))
            await session.rollback()
    assert len(await _lines(db, entry.id)) == 2


async def test_a_post_and_a_void_racing_for_one_hold_end_it_once(
    db: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    a = await _org_accounts(db, settings)
    async with db() as session, session.begin():
        await ledger.post(session, key=key("fund"), moves=[ledger.Move(a["external"], a["held"], 900)], at=NOW)
        hold_id = await ledger.hold(session, key=key("hold"), move=ledger.Move(a["held"], a["payable"], 900), at=NOW)

    async def end(kind: str) -> str:
        try:
            async with db() as session, session.begin():
                if kind == "post":
                    await ledger.post_hold(session, key=key("post"), hold_id=hold_id, at=NOW)
                else:
                    await ledger.void_hold(session, key=key("void"), hold_id=hold_id, at=NOW)
        except Conflict as refused:
            return refused.code
        return kind

    outcomes = await asyncio.gather(*(end(kind) for kind in ("post", "void") * 4))
    winners = [o for o in outcomes if o in ("post", "void")]
    assert len(winners) == 1
    assert set(outcomes) - set(winners) == {"hold_not_pending"}
    held, payable = await _balance(db, a["held"]), await _balance(db, a["payable"])
    assert held.pending_out == 0
    assert payable.pending_in == 0
    assert payable.posted == (900 if winners == ["post"] else 0)
    assert held.posted == 900 - payable.posted


async def test_the_ledger_verifies_clean_after_postings_holds_and_refusals(
    db: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    a = await _org_accounts(db, settings)
    async with db() as session, session.begin():
        await ledger.post(session, key=key("fund"), moves=[ledger.Move(a["external"], a["held"], 1_000)], at=NOW)
        hold_id = await ledger.hold(session, key=key("hold"), move=ledger.Move(a["held"], a["payable"], 700), at=NOW)
        await ledger.post_hold(session, key=key("post"), hold_id=hold_id, at=NOW, amount_minor=300)
        with pytest.raises(Conflict):
            await ledger.post(session, key=key("over"), moves=[ledger.Move(a["held"], a["revenue"], 701)], at=NOW)
    async with db() as session:
        report = await verify_ledger(session)
    assert report.clean, report.violations
    assert report.entries >= 3


async def test_the_expiry_job_run_by_two_workers_at_once_expires_each_due_hold_once(
    db: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    a = await _org_accounts(db, settings)
    async with db() as session, session.begin():
        await ledger.post(session, key=key("fund"), moves=[ledger.Move(a["external"], a["held"], 1_000)], at=NOW)
        holds = [
            await ledger.hold(
                session,
                key=key(f"h{n}"),
                move=ledger.Move(a["held"], a["payable"], 100),
                at=NOW,
                expires_at=NOW + timedelta(minutes=n),
            )
            for n in range(1, 6)
        ]
    clock = ManualClock(NOW + timedelta(minutes=3, seconds=30))
    runtime: Any = SimpleNamespace(clock=clock, session_maker=db)
    await asyncio.gather(expire_holds(runtime), expire_holds(runtime))
    async with db() as session:
        endings = await session.execute(
            select(LedgerEntry.hold_id, func.count())
            .where(LedgerEntry.hold_id.in_(holds))
            .group_by(LedgerEntry.hold_id)
        )
        assert dict(endings.all()) == {hold_id: 1 for hold_id in holds[:3]}
    assert await _balance(db, a["held"]) == ledger.Balance(posted=1_000, pending_out=200, pending_in=0)


async def test_amounts_far_beyond_32_bits_move_exactly(
    db: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    a = await _org_accounts(db, settings)
    big = 10**15  # the largest amount money.parse_money accepts
    async with db() as session, session.begin():
        await ledger.post(session, key=key("big"), moves=[ledger.Move(a["external"], a["held"], big)], at=NOW)
        hold_id = await ledger.hold(
            session, key=key("bigh"), move=ledger.Move(a["held"], a["payable"], big - 1), at=NOW
        )
        await ledger.post_hold(session, key=key("bigp"), hold_id=hold_id, at=NOW, amount_minor=big - 2)
    assert await _balance(db, a["held"]) == ledger.Balance(posted=2, pending_out=0, pending_in=0)
    assert await _balance(db, a["payable"]) == ledger.Balance(posted=big - 2, pending_out=0, pending_in=0)


async def test_every_entry_appends_one_audit_record_and_a_replay_none(
    db: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    acct = await _org_accounts(db, settings)
    move = ledger.Move(acct["external"], acct["payable"], 12_34)
    entry_key, hold_key = key("audited"), key("audited-hold")
    for _ in range(2):  # the second round replays each key: no new entries, no new records
        async with db() as session, session.begin():
            entry = await ledger.post(session, key=entry_key, moves=[move], at=NOW, memo="audited")
            hold_id = await ledger.hold(session, key=hold_key, move=move, at=NOW)
            await ledger.void_hold(session, key=hold_key + ":void", hold_id=hold_id, at=NOW)
    async with db() as session:
        records = (
            await session.execute(
                select(AuditRecord.object_id, AuditRecord.action)
                .where(AuditRecord.object_type == "ledger_entry", AuditRecord.object_id.in_([entry.id, hold_id]))
                .order_by(AuditRecord.seq)
            )
        ).all()
    assert [tuple(r) for r in records] == [(entry.id, "post"), (hold_id, "hold")]
    async with db() as session:
        voids = await session.scalar(
            select(func.count())
            .select_from(AuditRecord)
            .where(AuditRecord.object_type == "ledger_entry", AuditRecord.action == "void_hold")
            .where(AuditRecord.object_id > hold_id)
        )
    assert voids == 1
