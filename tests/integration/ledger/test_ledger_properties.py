"""Random sequences of posts, holds, partial posts, voids, expiries and replayed keys among random accounts
(a Hypothesis property test, a fixed seed and a bounded number of examples in the suite). After every step:
the accounts add up to zero per currency, no account that may not go negative has, every balance is what a
plain model of the movements says, a refusal changed nothing, and `verify_ledger` is clean.

A longer run: `LEDGER_EXAMPLES=500 .venv/bin/pytest tests/integration/ledger/test_ledger_properties.py`.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.clock import ManualClock
from exchange.db.engine import make_engine, make_session_maker
from exchange.errors import DomainError
from exchange.ledger import accounts, rules
from exchange.ledger import services as ledger
from exchange.ledger.jobs import expire_holds
from exchange.ledger.models import LedgerAccount
from exchange.ledger.verify import verify_ledger
from exchange.settings import DatabaseSettings
from tests.support.buyers import registered_orgs
from tests.support.databases import fresh_database_url

EXAMPLES = int(os.environ.get("LEDGER_EXAMPLES", "25"))
START = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)

# Accounts by index: 0-1 the world and the platform in CNY, 2-7 two orgs' accounts in CNY, 8-10 USD.
PLAN: list[tuple[str, str, int | None]] = [
    (accounts.EXTERNAL, "CNY", None),
    (accounts.PLATFORM_REVENUE, "CNY", None),
    (accounts.DEPOSITS_HELD, "CNY", 0),
    (accounts.SELLER_PAYABLE, "CNY", 1),
    (accounts.CREDIT_RECEIVABLE, "CNY", 0),
    (accounts.REFUNDS_PAYABLE, "CNY", 0),
    (accounts.BROKER_COMMISSION, "CNY", 1),
    (accounts.DEPOSITS_HELD, "CNY", 1),
    (accounts.EXTERNAL, "USD", None),
    (accounts.DEPOSITS_HELD, "USD", 0),
    (accounts.SELLER_PAYABLE, "USD", 1),
]

account_index = st.integers(0, len(PLAN) - 1)
amount = st.integers(1, 5_000)
move = st.tuples(account_index, account_index, amount)
step = st.one_of(
    st.tuples(st.just("post"), st.lists(move, min_size=1, max_size=3)),
    st.tuples(st.just("hold"), move, st.one_of(st.none(), st.integers(1, 120))),
    st.tuples(st.just("post_hold"), st.integers(0, 50), st.one_of(st.none(), amount)),
    st.tuples(st.just("void_hold"), st.integers(0, 50)),
    st.tuples(st.just("advance"), st.integers(1, 90)),
    st.tuples(st.just("replay"), st.integers(0, 50), st.booleans()),
)


@dataclass
class Model:
    """What the balances must be: posted, pending out, pending in per account index."""

    posted: list[int] = field(default_factory=lambda: [0] * len(PLAN))
    out: list[int] = field(default_factory=lambda: [0] * len(PLAN))
    into: list[int] = field(default_factory=lambda: [0] * len(PLAN))
    holds: list[tuple[int, int, int, int, datetime | None]] = field(default_factory=list)
    """(hold id, from, to, amount, expires at), in order placed."""
    ended: set[int] = field(default_factory=set)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """(function name, arguments) of every successful call, to replay."""

    def may_pay(self, index: int, sum_out: int) -> bool:
        purpose = PLAN[index][0]
        return rules.may_go_negative(purpose) or self.posted[index] - self.out[index] >= sum_out


@dataclass
class World:
    db: async_sessionmaker[AsyncSession]
    ids: list[int]
    clock: ManualClock
    model: Model = field(default_factory=Model)


async def _world(url: str) -> tuple[Any, World]:
    engine = make_engine(DatabaseSettings(url=url))
    db = make_session_maker(engine)
    orgs = await registered_orgs(db, "secret", "buyer", 2)
    ids = []
    async with db() as session, session.begin():
        for purpose, currency, owner in PLAN:
            org_id = None if owner is None else orgs[owner].org_id
            ids.append(await ledger.account_for(session, purpose, currency, org_id=org_id))
    return engine, World(db, ids, ManualClock(START))


async def _call(world: World, name: str, **arguments: Any) -> Any:
    async with world.db() as session, session.begin():
        return await getattr(ledger, name)(session, at=world.clock.now(), **arguments)


async def _step(world: World, action: tuple[Any, ...]) -> None:
    model, ids, kind = world.model, world.ids, action[0]
    args: dict[str, Any]
    if kind == "post":
        moves = [ledger.Move(ids[a], ids[b], n) for a, b, n in action[1]]
        deltas: dict[int, int] = {}
        for a, b, n in action[1]:
            deltas[a] = deltas.get(a, 0) - n
            deltas[b] = deltas.get(b, 0) + n
        valid = all(a != b for a, b, _ in action[1]) and len({PLAN[i][1] for i in deltas}) == 1
        covered = all(model.may_pay(i, -d) for i, d in deltas.items() if d < 0)
        args = {"key": f"post:{uuid.uuid4().hex}", "moves": moves}
        if await _expect(world, "post", args, ok=valid and covered):
            for i, d in deltas.items():
                model.posted[i] += d
    elif kind == "hold":
        (a, b, n), minutes = action[1], action[2]
        expires = None if minutes is None else world.clock.now() + timedelta(minutes=minutes)
        ok = a != b and PLAN[a][1] == PLAN[b][1] and model.may_pay(a, n)
        args = {"key": f"hold:{uuid.uuid4().hex}", "move": ledger.Move(ids[a], ids[b], n), "expires_at": expires}
        hold_id = await _expect(world, "hold", args, ok=ok)
        if hold_id:
            model.out[a] += n
            model.into[b] += n
            model.holds.append((hold_id, a, b, n, expires))
    elif kind in ("post_hold", "void_hold") and model.holds:
        hold_id, a, b, n, expires = model.holds[action[1] % len(model.holds)]
        part = action[2] if kind == "post_hold" else None
        due = expires is not None and expires <= world.clock.now()
        ok = hold_id not in model.ended and (kind == "void_hold" or (not due and (part is None or part <= n)))
        args = {"key": f"{kind}:{uuid.uuid4().hex}", "hold_id": hold_id}
        if kind == "post_hold":
            args["amount_minor"] = part
        if await _expect(world, kind, args, ok=ok):
            posted = (n if part is None else part) if kind == "post_hold" else 0
            _end(model, a, b, n, posted)
            model.ended.add(hold_id)
    elif kind == "advance":
        world.clock.advance(action[1] * 60)
        now = world.clock.now()
        runtime: Any = SimpleNamespace(clock=world.clock, session_maker=world.db)
        expired = await expire_holds(runtime)
        due = [h for h in model.holds if h[0] not in model.ended and h[4] is not None and h[4] <= now]
        assert expired == len(due)
        for hold_id, a, b, n, _ in due:
            _end(model, a, b, n, 0)
            model.ended.add(hold_id)
        assert await expire_holds(runtime) == 0  # exactly once
    elif kind == "replay" and model.calls:
        name, args = model.calls[action[1] % len(model.calls)]
        if action[2]:  # the same key and content: the first entry, nothing moves
            await _call(world, name, **args)
        else:  # the same key, other content: refused
            other = dict(args)
            if name == "post":
                other["moves"] = [*args["moves"], ledger.Move(ids[0], ids[1], 1)]
            elif name == "hold":
                first = args["move"]
                other["move"] = ledger.Move(first.from_account, first.to_account, first.amount_minor + 1)
            else:
                other["hold_id"] = args["hold_id"] + 100_000
            with pytest.raises(DomainError) as refused:
                await _call(world, name, **other)
            assert refused.value.code == "ledger_key_reused"


def _end(model: Model, a: int, b: int, held: int, posted: int) -> None:
    model.out[a] -= held
    model.into[b] -= held
    model.posted[a] -= posted
    model.posted[b] += posted


async def _expect(world: World, name: str, args: dict[str, Any], *, ok: bool) -> Any:
    if not ok:
        with pytest.raises(DomainError):
            await _call(world, name, **args)
        return None
    answer = await _call(world, name, **args)
    world.model.calls.append((name, args))
    return answer if name == "hold" else True


async def _check(world: World) -> None:
    model = world.model
    async with world.db() as session:
        rows = (await session.execute(select(LedgerAccount).where(LedgerAccount.id.in_(world.ids)))).scalars()
        by_id = {row.id: row for row in rows}
        totals = await session.execute(
            select(
                LedgerAccount.currency,
                func.sum(LedgerAccount.posted),
                func.sum(LedgerAccount.pending_out) - func.sum(LedgerAccount.pending_in),
            ).group_by(LedgerAccount.currency)
        )
        for currency, posted, pending in totals:
            assert (posted, pending) == (0, 0), currency
        for index, account_id in enumerate(world.ids):
            row = by_id[account_id]
            assert (row.posted, row.pending_out, row.pending_in) == (
                model.posted[index],
                model.out[index],
                model.into[index],
            ), PLAN[index]
            if not rules.may_go_negative(row.purpose):
                assert row.posted - row.pending_out >= 0
        report = await verify_ledger(session)
        assert report.clean, report.violations


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return fresh_database_url("sqlite", tmp_path_factory.mktemp("ledger-properties"))


@seed(20261206)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=25))
def test_random_movements_keep_the_ledger_balanced_and_verifiable(database: str, steps: list[tuple[Any, ...]]) -> None:
    async def run() -> None:
        engine, world = await _fresh_accounts(database)
        try:
            for action in steps:
                await _step(world, action)
                await _check(world)
        finally:
            await engine.dispose()

    asyncio.run(run())


async def _fresh_accounts(url: str) -> tuple[Any, World]:
    """Each example gets its own orgs (so its own accounts) in the module's database; the world's and the
    platform's accounts are shared, so the model starts from their current balances."""
    engine, world = await _world(url)
    async with world.db() as session:
        for index, account_id in enumerate(world.ids):
            balance = await ledger.balance(session, account_id)
            world.model.posted[index] = balance.posted
            world.model.out[index] = balance.pending_out
            world.model.into[index] = balance.pending_in
    return engine, world


def test_the_property_test_database_is_a_file(database: str) -> None:
    assert Path(database.split("///", 1)[1]).exists()
