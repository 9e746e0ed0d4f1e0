"""Several money-moving calls in one `post_many` (an auction close's deposits): each keeps its own key and
entry, a replayed batch writes nothing, and a refusal of any one leaves none of the batch written."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.audit.models import AuditRecord
from exchange.errors import Conflict
from exchange.ledger import accounts
from exchange.ledger import services as ledger
from exchange.ledger.models import LedgerEntry
from exchange.ledger.verify import verify_ledger
from exchange.settings import Settings
from tests.support.buyers import registered_orgs

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


async def _accounts(db: async_sessionmaker[AsyncSession], settings: Settings, bidders: int) -> tuple[int, list[int]]:
    orgs = await registered_orgs(db, settings.secret_key, "buyer", bidders)
    async with db() as session, session.begin():
        external = await ledger.account_for(session, accounts.EXTERNAL, "CNY")
        held = [await ledger.account_for(session, accounts.DEPOSITS_HELD, "CNY", org_id=o.org_id) for o in orgs]
    return external, held


async def _count(db: async_sessionmaker[AsyncSession], model: type, *where: object) -> int:
    async with db() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _close(run: str, external: int, held: list[int], winner: int) -> list[ledger.Call]:
    calls: list[ledger.Call] = []
    for n, account in enumerate(held):
        holding = ledger.Holding(f"{run}:deposit:{n}", ledger.Move(external, account, 500_00))
        ending = ledger.Ending(f"{holding.key}:{'post' if n == winner else 'void'}", hold=holding.key, post=n == winner)
        calls += [holding, ending]
    return calls


async def test_a_close_posts_the_winners_deposit_and_voids_the_rest_in_one_call_once(
    db: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    external, held = await _accounts(db, settings, 4)
    run = f"test:{uuid.uuid4().hex}"
    async with db() as session, session.begin():  # the deposits were held when the bids came in
        hold_ids = [
            await ledger.hold(session, key=f"{run}:deposit:{n}", move=ledger.Move(external, a, 500_00), at=NOW)
            for n, a in enumerate(held)
        ]
    records_before = await _count(db, AuditRecord)
    async with db() as session, session.begin():
        entries = await ledger.post_many(session, _close(run, external, held, winner=2), at=NOW)
    assert [e.id for e in entries[0::2]] == hold_ids
    assert all(e.replayed for e in entries[0::2])
    assert [e.kind for e in entries[1::2]] == ["void_hold", "void_hold", "post_hold", "void_hold"]
    assert [e.hold_id for e in entries[1::2]] == hold_ids
    async with db() as session:
        balances = [await ledger.balance(session, a) for a in held]
    assert [b.posted for b in balances] == [0, 0, 500_00, 0]
    assert all(b.pending_in == 0 for b in balances)
    assert await _count(db, AuditRecord) == records_before + 4  # one record per new entry, none for replays

    async with db() as session, session.begin():  # the close runs again (a retried job): nothing moves
        again = await ledger.post_many(session, _close(run, external, held, winner=2), at=NOW)
    assert all(e.replayed for e in again)
    assert [e.id for e in again] == [e.id for e in entries]
    assert await _count(db, AuditRecord) == records_before + 4
    async with db() as session:
        assert (await verify_ledger(session)).clean


async def test_a_refusal_in_a_batch_leaves_none_of_it_written(
    db: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    external, held = await _accounts(db, settings, 2)
    run = f"test:{uuid.uuid4().hex}"
    async with db() as session, session.begin():
        await ledger.post(session, key=f"{run}:in", moves=[ledger.Move(external, held[0], 100)], at=NOW)
        await ledger.post(session, key=f"{run}:used", moves=[ledger.Move(external, held[1], 7)], at=NOW)
    entries_before = await _count(db, LedgerEntry)
    batches: list[list[ledger.Call]] = [
        [  # the second asks more than the account has
            ledger.Posting(f"{run}:a", [ledger.Move(external, held[1], 50)]),
            ledger.Posting(f"{run}:b", [ledger.Move(held[0], held[1], 101)]),
        ],
        [  # the second reuses a key for something else
            ledger.Holding(f"{run}:h", ledger.Move(external, held[0], 30)),
            ledger.Posting(f"{run}:used", [ledger.Move(external, held[1], 8)]),
        ],
        [  # the second ends a hold that the first already voided
            ledger.Holding(f"{run}:h2", ledger.Move(external, held[0], 30)),
            ledger.Ending(f"{run}:h2:void", hold=f"{run}:h2", post=False),
            ledger.Ending(f"{run}:h2:post", hold=f"{run}:h2", post=True),
        ],
    ]
    codes = []
    for batch in batches:
        async with db() as session, session.begin():
            with pytest.raises(Conflict) as refused:
                await ledger.post_many(session, batch, at=NOW)
            codes.append(refused.value.code)
            # the caller may go on in its transaction: nothing of the batch is there
            await ledger.post(
                session, key=f"{run}:after:{len(codes)}", moves=[ledger.Move(external, held[1], 1)], at=NOW
            )
    assert codes == ["insufficient_funds", "ledger_key_reused", "hold_not_pending"]
    assert await _count(db, LedgerEntry) == entries_before + 3  # only the three posts after the refusals
    async with db() as session:
        assert (await ledger.balance(session, held[0])) == ledger.Balance(posted=100, pending_out=0, pending_in=0)
        assert (await ledger.balance(session, held[1])).posted == 7 + 3
        assert (await verify_ledger(session)).clean
