"""Helpers for bid-engine tests: a lot open for bidding until the test says time is up, and its opening report.

A test never races the wall clock: its lot closes an hour ahead, so bids placed on a slow, loaded machine
land inside the window; `close_now` then moves the closing time to the present, as a `ManualClock.advance`
would (the deadline is checked against Redis's own clock, which a test cannot move). From there the app's
scheduler closes the lot on its own, exactly as when the time comes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.batch import BidWrite
from exchange.auctions.engine._space import database_space
from exchange.auctions.receipts import parse_micros
from exchange.auctions.scripts import LotKeys, closing_index
from exchange.lots.models import Lot
from exchange.redis.connection import close_redis, make_redis
from exchange.redis.embedded import EmbeddedRedis
from exchange.settings import Settings
from tests.conftest import Actor
from tests.support.lots import live_lot
from tests.support.waiting import eventually

__all__ = [
    "BIDDING_TIME",
    "CLOSE_WITHIN",
    "accepted_write",
    "close_now",
    "closing_lot",
    "opening_report_when_closed",
    "redis_url_of",
]

BIDDING_TIME = timedelta(hours=1)
"""How long a test's lot is open unless the test closes it: far more than any test takes, however loaded."""

CLOSE_WITHIN = 60.0
"""Seconds to wait for the scheduler's close (it ticks every 0.25 s): only a hang takes this long."""

_SET_CLOSE_IF_LOADED = """
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'closes_us', ARGV[1]) return 1 end
return 0
"""


async def closing_lot(db: async_sessionmaker[AsyncSession], seller: Actor, **fields: Any) -> int:
    """A live sealed-bid lot open for BIDDING_TIME; the test ends its bidding with `close_now`."""
    return await live_lot(db, seller, closes_at=datetime.now(UTC) + BIDDING_TIME, **fields)


def redis_url_of(settings: Settings) -> str:
    return settings.redis.url or EmbeddedRedis(settings.data_dir).url


async def close_now(db: async_sessionmaker[AsyncSession], settings: Settings, lot_id: int) -> datetime:
    """Time is up for `lot_id`: its closing time becomes now, in SQL and in the engine's loaded state (if any).

    SQL first, so a state loaded meanwhile is loaded with the new time; the state is only changed if it
    exists (a partial state would never be rebuilt). Returns the new closing time."""
    now = datetime.now(UTC)
    async with db() as session, session.begin():
        await session.execute(update(Lot).where(Lot.id == lot_id).values(closes_at=now))
    keys = LotKeys(lot_id, await database_space(db))
    redis = make_redis(redis_url_of(settings))
    try:
        loaded = await redis.eval(_SET_CLOSE_IF_LOADED, 1, keys.state, str(parse_micros(now)))  # type: ignore[misc]
        if loaded:
            await redis.zadd(closing_index(keys.space, lot_id), {str(lot_id): parse_micros(now)})
    finally:
        await close_redis(redis)
    return now


async def opening_report_when_closed(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], lot_id: int, viewer: Actor
) -> dict[str, Any]:
    """Close `lot_id` now and wait for the scheduler to open its bids: the report as `viewer` sees it."""
    await close_now(db, client.app.state.runtime.settings, lot_id)

    async def probe() -> dict[str, Any] | None:
        answer = await client.get(f"/api/lots/{lot_id}/bids", headers=viewer.headers)
        return answer.json() if answer.status_code == 200 else None

    return await eventually(probe, within=CLOSE_WITHIN)


def accepted_write(
    lot_id: int, bidder: int, revision: int, *, amount_minor: int | None = None, receipt: str | None = None
) -> BidWrite:
    """A bid as the engine hands it to the journal once Redis accepted it (for the journal's own tests)."""
    amount = amount_minor if amount_minor is not None else 1_000_00 * revision
    return BidWrite(
        lot_id=lot_id,
        bidder_org_id=bidder,
        revision=revision,
        kind="bid",
        amount_minor=amount,
        currency="CNY",
        placed_at_us=1_700_000_000_000_000 + revision,
        seq=revision,
        rank_seq=revision,
        nonce="n" * 32,
        receipt=receipt or f"receipt-{lot_id}-{bidder}-{revision}",
        idempotency_key=None,
        user_id=None,
        gen="g",
        packed=f"{revision}:{amount}:0:{revision}:nonce",
    )
