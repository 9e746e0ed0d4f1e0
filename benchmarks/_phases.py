"""In-process phases of the bid benchmark: the engine against a bare EVALSHA, and a 10 000-bid close."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from datetime import timedelta
from typing import Any

from benchmarks._setup import make_lots, make_orgs

__all__ = ["ROUNDS", "close_big_lot", "engine_alone", "median_round"]

ROUNDS = 5
"""Alternating rounds per comparison (engine and HTTP). On a shared 2-core machine one round's ratio moves
by tens of percent; the median of five is steadier than the median of three."""


def median_round(rounds: list[Any], ratio: Any) -> Any:
    """The round whose ratio is the median."""
    return sorted(rounds, key=ratio)[len(rounds) // 2]


def _say(message: str) -> None:
    print(message, flush=True)


async def _rate_of(work: Any, *, seconds: float, concurrency: int) -> float:
    """Calls of `work(i)` per second with `concurrency` loops for `seconds`."""
    done = 0
    counter = itertools.count()
    stop_at = time.perf_counter() + seconds

    async def loop() -> None:
        nonlocal done
        while time.perf_counter() < stop_at:
            await work(next(counter))
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(concurrency)))
    return done / (time.perf_counter() - started)


async def engine_alone(
    redis_url: str, session_maker: Any, lots: list[int], bidders: list[int], seconds: float
) -> dict[str, Any]:
    from exchange.auctions.engine import BidEngine
    from exchange.auctions.runtime import _engine_redis
    from exchange.redis.connection import close_redis, make_plain_redis

    client = _engine_redis(make_plain_redis(redis_url))
    engine = BidEngine(client, session_maker)
    await engine.start()
    do_nothing = engine.scripts.redis.register_script("return 0")  # type: ignore[misc]  # (a plain client)
    for lot_id in lots:  # load the lots' state first (a one-off per lot)
        await engine._load(await engine.keys(lot_id))

    async def bare(i: int) -> None:
        await do_nothing(keys=[f"lot:{{{lots[i % len(lots)]}}}"], args=[i])

    async def accept(i: int) -> None:
        await engine.accept_bid(
            lot_id=lots[i % len(lots)],
            bidder_org_id=bidders[i % len(bidders)],
            amount_minor=100_000 + i,
            currency="CNY",
        )

    async def durable(i: int) -> None:
        await engine.place_bid(
            lot_id=lots[i % len(lots)],
            bidder_org_id=bidders[i % len(bidders)],
            amount_minor=200_000 + i,
            currency="CNY",
        )

    await _rate_of(bare, seconds=0.5, concurrency=32)  # warm up
    await _rate_of(accept, seconds=0.5, concurrency=32)
    # Alternate short rounds so that both sides see the same background load on a shared machine.
    rounds = [
        (
            await _rate_of(bare, seconds=seconds / ROUNDS, concurrency=32),
            await _rate_of(accept, seconds=seconds / ROUNDS, concurrency=32),
        )
        for _ in range(ROUNDS)
    ]
    bare_rate, engine_rate = median_round(rounds, lambda pair: pair[1] / pair[0])
    figures = {
        "bare": bare_rate,
        "engine": engine_rate,
        "ratios": [engine / bare for bare, engine in rounds],
        "durable": await _rate_of(durable, seconds=seconds, concurrency=64),
    }
    await engine.stop()
    await close_redis(client)
    return figures


async def close_big_lot(redis_url: str, session_maker: Any, seller: int, bids: int) -> dict[str, float]:
    from exchange.auctions.close_outbox import deliver_closes
    from exchange.auctions.closing import award_lot
    from exchange.auctions.engine import BidEngine
    from exchange.auctions.runtime import _engine_redis
    from exchange.redis.connection import close_redis, make_plain_redis

    client = _engine_redis(make_plain_redis(redis_url))
    engine = BidEngine(client, session_maker)
    await engine.start()
    orgs = await make_orgs(session_maker, "buyer", bids, "Close bench buyer")
    window = timedelta(seconds=max(10.0, bids / 800))
    (lot_id,) = await make_lots(session_maker, seller, 1, closes_in=window)
    closes_at = time.monotonic() + window.total_seconds()
    rng = random.Random(10_000)
    queue = iter(orgs)

    async def bidder() -> None:
        for org_id in queue:
            await engine.place_bid(
                lot_id=lot_id, bidder_org_id=org_id, amount_minor=rng.randrange(1, 10**8), currency="CNY"
            )

    started = time.perf_counter()
    await asyncio.gather(*(bidder() for _ in range(100)))
    placed_in = time.perf_counter() - started
    _say(f"  {bids} bids placed in {placed_in:.1f} s; waiting for the closing time")
    await asyncio.sleep(max(0.0, closes_at - time.monotonic()) + 0.05)

    t0 = time.perf_counter()
    code, _token = await engine.claim_close(lot_id)
    assert code == "CLAIMED", code
    result = await award_lot(session_maker, lot_id)
    to_order = time.perf_counter() - t0
    assert result is not None
    assert result.order_id is not None
    await engine.finish(lot_id, "closed", result.outcome)
    finished = time.perf_counter() - t0
    notified = await deliver_closes(session_maker, engine.publish_many, lot_ids=[lot_id]) - 1  # less the event
    with_notices = time.perf_counter() - t0
    await engine.stop()
    await close_redis(client)
    return {
        "to_order_ms": to_order * 1000,
        "finished_ms": finished * 1000,
        "notified_ms": with_notices * 1000,
        "notices": notified,
        "bids_per_s": bids / placed_in,
    }
