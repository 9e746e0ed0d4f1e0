"""Public bid counts for lot listings: the only figure about bids anyone may read before the close."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from redis.asyncio import Redis, RedisCluster
from redis.exceptions import RedisError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.auctions.engine import known_space
from exchange.auctions.models import Bid
from exchange.auctions.scripts import LotKeys
from exchange.errors import DomainError
from exchange.redis.routing import AppRedis

if TYPE_CHECKING:
    from exchange.runtime import Runtime

__all__ = ["bid_counts", "bid_counts_in_sql"]


async def bid_counts_in_sql(session: AsyncSession, lot_ids: Sequence[int]) -> dict[int, int]:
    """Current (not withdrawn) bids per lot from SQL, which holds every acknowledged bid.

    The catalogue's source of bid counts (search results, lot pages, the lot JSON).
    """
    if not lot_ids:
        return {}
    rows = await session.execute(
        select(Bid.lot_id, func.count())
        .where(Bid.lot_id.in_(list(lot_ids)), Bid.amount_minor.is_not(None))
        .group_by(Bid.lot_id)
    )
    return {lot_id: int(count) for lot_id, count in rows.all()}


async def bid_counts(source: Runtime | AppRedis, lot_ids: Iterable[int]) -> dict[int, int]:
    """Current (not withdrawn) bids per lot, from the engine's Redis state.

    Given the app's runtime, lots whose Redis state is not loaded (or a Redis that does not answer) are
    counted in SQL, which holds every acknowledged bid; given only a Redis client, they count 0 (and
    all do until this process's engine has read its database's key space).
    """
    ids = sorted(set(lot_ids))
    if not ids:
        return {}
    session_maker = None
    if isinstance(source, Redis | RedisCluster):
        redis, space = source, known_space()
    else:
        redis, session_maker = source.redis, source.session_maker
        try:
            space = await source.bid_engine.space()
        except DomainError:
            space = None
    counts: dict[int, int] = {}
    try:
        if space is None:
            raise LookupError("key space unknown")
        pipe = redis.pipeline(transaction=False)
        for lot_id in ids:
            pipe.hget(LotKeys(lot_id, space).state, "count")
        for lot_id, raw in zip(ids, await pipe.execute(), strict=True):
            if raw is not None:
                counts[lot_id] = int(raw)
    except (RedisError, OSError, LookupError):
        counts = {}
    missing = [lot_id for lot_id in ids if lot_id not in counts]
    if missing and session_maker is not None:
        async with session_maker() as session:
            counts.update(await bid_counts_in_sql(session, missing))
    return {lot_id: counts.get(lot_id, 0) for lot_id in ids}
