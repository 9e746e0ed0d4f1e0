"""The bid engine of a running app: made once per app start by the lifespan, with its event listeners."""

from __future__ import annotations

from typing import Any

from redis.asyncio import BlockingConnectionPool, ConnectionPool, Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.closing import Publish
from exchange.auctions.engine import BidEngine
from exchange.events import Listener
from exchange.live.channels import Live, lot_channel
from exchange.lots.events import LotLeftSale, LotSoldElsewhere

__all__ = ["lot_listeners", "make_bid_engine", "stop_bid_engine"]


ENGINE_MAX_CONNECTIONS = 64
ENGINE_POOL_WAIT_SECONDS = 10


class EnginePool(BlockingConnectionPool):
    """A BlockingConnectionPool whose callers take a free connection straight away (most calls) and only
    queue on the pool's condition, with its timeout, when none is free. redis-py's own pool takes the
    condition's lock and arms a timeout on every call and every release, a tenth of a bid's CPU."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._waiting = 0

    async def get_connection(self, command_name: Any, *keys: Any, **options: Any) -> Any:
        if self._waiting == 0 and (self._available_connections or len(self._in_use_connections) < self.max_connections):
            connection = self.get_available_connection()
            try:
                await self.ensure_connection(connection)
            except BaseException:
                await self.release(connection)
                raise
            return connection
        self._waiting += 1
        try:
            return await super().get_connection(command_name, *keys, **options)
        finally:
            self._waiting -= 1

    async def release(self, connection: Any) -> None:
        if self._waiting == 0:
            await ConnectionPool.release(self, connection)
        else:
            await super().release(connection)  # under the condition, waking one waiter


def _engine_redis(app_redis: Redis) -> Redis:
    """A client to the same server with a pool that waits for a free connection under a burst
    (the app's pool fails at once with "Too many connections", which would turn into 503s), and
    without redis-py's per-operation socket timeout: every engine call has its own deadline instead
    (`scripts.ENGINE_REDIS_TIMEOUT`, in `LotScripts.run` and `redis_guard`)."""
    pool = app_redis.connection_pool
    blocking = EnginePool(
        connection_class=pool.connection_class,
        max_connections=ENGINE_MAX_CONNECTIONS,
        timeout=ENGINE_POOL_WAIT_SECONDS,
        **{**pool.connection_kwargs, "socket_timeout": None},
    )
    return Redis(connection_pool=blocking)


def make_bid_engine(redis: Redis, session_maker: async_sessionmaker[AsyncSession], live: Live) -> BidEngine:
    """This app's engine, on the app's Redis server (with its own pool) and database (started by the lifespan)."""
    return BidEngine(_engine_redis(redis), session_maker, publish_many=live.publish_many)


async def stop_bid_engine(engine: BidEngine) -> None:
    await engine.stop()
    await engine.redis.aclose(close_connection_pool=True)


def lot_listeners(engine: BidEngine, publish: Publish) -> dict[type, list[Listener]]:
    """The engine's listeners to the catalogue's events, for the app's dispatcher (`publish`: `Live.publish`)."""

    async def close_lot_sold_elsewhere(event: LotSoldElsewhere) -> None:
        """A quote or proposal sold the lot (committed in SQL): refuse every later bid and purchase at once."""
        await engine.finish(event.lot_id, "sold", "sold")
        publish(lot_channel(event.lot_id), "status", {"status": "sold"})

    async def close_lot_that_left_sale(event: LotLeftSale) -> None:
        """A lot moved out of `live` by another path (withdrawn, expired; committed in SQL): the engine
        refuses bids and purchases on it at once. (Without this SQL still refuses them, a little later.)"""
        await engine.finish(event.lot_id, "gone", event.status)
        publish(lot_channel(event.lot_id), "status", {"status": event.status})

    return {LotSoldElsewhere: [close_lot_sold_elsewhere], LotLeftSale: [close_lot_that_left_sale]}
