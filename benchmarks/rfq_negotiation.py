"""RFQ service timings on a fresh SQLite database: open, counter, accept, the inbox and a comparison.

Runs the use cases exactly as the API does (one transaction each), without HTTP. Prints p50/p95/max per
step in milliseconds. `python -m benchmarks.rfq_negotiation [--negotiations N] [--answers K]`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import TypeVar

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.accounts import schemas as account_schemas
from exchange.accounts import services as accounts
from exchange.accounts.principal import Principal
from exchange.db.base import utcnow
from exchange.db.engine import make_engine, make_session_maker
from exchange.db.migrate import upgrade_database
from exchange.demo.kyb import example_details
from exchange.lots import services as lots
from exchange.lots.schemas import LotCreate
from exchange.rfq import schemas, services
from exchange.settings import DatabaseSettings

T = TypeVar("T")
LOT = {
    "title": "5000 m cotton twill, 150 cm",
    "category": "textiles/fabric",
    "specs": {"fibre": "cotton", "width": "150 cm", "weight": "240 g/m2", "colour": "navy"},
    "quantity": {"value": 5000, "unit": "m"},
    "grade": "A",
    "sale": {"mode": "fixed_price", "price": "40000.00", "rfq_enabled": True},
}


async def _org(sessions: async_sessionmaker[AsyncSession], kind: str) -> Principal:
    async with sessions() as session, session.begin():
        body = {
            "email": f"{kind}-{uuid.uuid4().hex[:10]}@bench.example",
            "password": "bench-password-123",
            "name": "Bench",
            "org": {"name": f"{kind} {uuid.uuid4().hex[:6]}", "kind": kind, **example_details(uuid.uuid4().hex)},
        }
        user, org = await accounts.register(session, msgspec.convert(body, account_schemas.RegisterIn))
        await accounts.verify_org(session, org.id)
        await session.flush()
        principal = await accounts.load_principal(session, user.id)
    assert principal is not None
    return principal


async def _lot(sessions: async_sessionmaker[AsyncSession], seller: Principal) -> int:
    async with sessions() as session, session.begin():
        lot = await lots.create_lot(session, seller, msgspec.convert(LOT, LotCreate))
        await lots.publish_lot(session, seller, lot.id)
        return lot.id


async def _open(session: AsyncSession, *, buyer: Principal, lot_id: int) -> int:
    return (await services.open_rfq(session, buyer, lot_id, schemas.RfqOpen(price="30000.00"))).id


async def _counter(session: AsyncSession, *, seller: Principal, thread: int) -> int:
    return (await services.make_offer(session, seller, thread, schemas.OfferCreate(price="36000.00"))).id


async def _accept(session: AsyncSession, *, buyer: Principal, thread: int, offer: int) -> None:
    await services.accept_offer(session, buyer, thread, offer)


async def _timed(
    sessions: async_sessionmaker[AsyncSession], times: list[float], work: Callable[[AsyncSession], Awaitable[T]]
) -> T:
    start = time.perf_counter()
    async with sessions() as session, session.begin():
        result = await work(session)
    times.append((time.perf_counter() - start) * 1000)
    return result


def _report(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(
        f"{name:<32} n={len(times):<5} p50={statistics.median(ordered):7.2f} ms  "
        f"p95={p95:7.2f} ms  max={ordered[-1]:7.2f} ms"
    )


async def run(negotiations: int, answers: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        await asyncio.to_thread(upgrade_database, url)
        engine = make_engine(DatabaseSettings(url=url))
        sessions = make_session_maker(engine)
        seller, buyer = await _org(sessions, "seller"), await _org(sessions, "buyer")
        steps: dict[str, list[float]] = {"open_rfq": [], "make_offer (counter)": [], "accept_offer": []}
        print(f"setting up {negotiations} live lots…", flush=True)
        lot_ids = [await _lot(sessions, seller) for _ in range(negotiations)]
        for index, lot_id in enumerate(lot_ids, 1):
            thread = await _timed(sessions, steps["open_rfq"], partial(_open, buyer=buyer, lot_id=lot_id))
            offer = await _timed(
                sessions, steps["make_offer (counter)"], partial(_counter, seller=seller, thread=thread)
            )
            await _timed(sessions, steps["accept_offer"], partial(_accept, buyer=buyer, thread=thread, offer=offer))
            if index % 50 == 0:
                print(f"  {index}/{negotiations} negotiations", flush=True)
        inbox: list[float] = []
        for _ in range(20):
            await _timed(sessions, inbox, lambda s: services.list_threads_for(s, buyer))

        print(f"setting up a wanted request with {answers} answers…", flush=True)
        async with sessions() as session, session.begin():
            wanted = await services.create_wanted(
                session,
                buyer,
                schemas.WantedCreate(
                    title="Cotton twill for workwear",
                    category="textiles/fabric",
                    quantity=schemas.QuantityIn(value="4000", unit="m"),
                    deadline=utcnow().date() + timedelta(days=30),
                    specs=[schemas.SpecConstraint(key="width", op="gte", value=140.0, unit="cm")],
                ),
            )
        for _ in range(answers):
            lot_id = await _lot(sessions, seller)
            async with sessions() as session, session.begin():
                await services.answer_wanted(
                    session, seller, wanted.id, schemas.WantedAnswer(lot_id=lot_id, price="34000.00")
                )
        comparison: list[float] = []
        for _ in range(20):
            await _timed(sessions, comparison, lambda s: services.compare_answers(s, buyer, wanted.id))
        await engine.dispose()

    print(f"\nRFQ services on SQLite, one transaction per call ({negotiations} negotiations):")
    for name, times in steps.items():
        _report(name, times)
    _report(f"list_threads_for ({negotiations} threads)", inbox)
    _report(f"compare_answers ({answers} answers)", comparison)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.rfq_negotiation", description=__doc__)
    parser.add_argument("--negotiations", type=int, default=200)
    parser.add_argument("--answers", type=int, default=30)
    args = parser.parse_args(argv)
    asyncio.run(run(args.negotiations, args.answers))
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
