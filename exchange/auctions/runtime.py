"""The bid engine of a running app: made once per app start by the lifespan, with its event listeners."""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import ConnectionPool, Redis, RedisCluster
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.closing import Publish
from exchange.auctions.engine import BidEngine
from exchange.events import Listener
from exchange.live.channels import Live, lot_channel
from exchange.lots.events import LotLeftSale, LotSoldElsewhere
from exchange.redis.connection import close_redis, same_cluster
from exchange.redis.routing import AppRedis

__all__ = ["lot_listeners", "make_bid_engine", "stop_bid_engine"]


ENGINE_MAX_CONNECTIONS = 64
ENGINE_POOL_WAIT_SECONDS = 10


class EnginePool(ConnectionPool):
    """A pool of at most `max_connections` whose callers wait (up to `timeout` seconds) for a free connection
    when all are in use, instead of failing at once with "Too many connections" as redis-py's ConnectionPool
    does (which would turn a burst into 503s).

    redis-py's BlockingConnectionPool waits too, but takes an asyncio.Condition's lock and arms a timeout on
    every call and every release: a tenth of a bid's CPU. Here a semaphore counts the connections handed
    out; a caller that finds a free one takes it without waiting or a timer (most calls), and only a caller
    that must wait arms the timeout (32 concurrent GETs on one process: 17 500/s, against 12 000/s through
    BlockingConnectionPool). Built on ConnectionPool's public methods only (`get_available_connection`,
    `ensure_connection`, `release`: the steps of its own `get_connection`), so no redis-py internals: the
    subclass of BlockingConnectionPool it replaces read its private connection lists."""

    def __init__(self, *, max_connections: int, timeout: float, **connection_kwargs: Any) -> None:
        super().__init__(max_connections=max_connections, **connection_kwargs)
        self.timeout = timeout
        self._free = asyncio.Semaphore(max_connections)

    async def get_connection(self, command_name: Any = None, *keys: Any, **options: Any) -> Any:
        if self._free.locked():
            try:
                async with asyncio.timeout(self.timeout):
                    await self._free.acquire()
            except TimeoutError:
                raise RedisConnectionError("No connection available.") from None
        else:
            await self._free.acquire()  # a free connection: returns at once
        try:
            connection = self.get_available_connection()
        except BaseException:
            self._free.release()
            raise
        try:
            await self.ensure_connection(connection)
        except BaseException:
            await self.release(connection)
            raise
        return connection

    async def release(self, connection: Any) -> None:
        await super().release(connection)
        self._free.release()


def _engine_redis(app_redis: AppRedis) -> AppRedis:
    """A client to the same server with a pool that waits for a free connection under a burst
    (the app's pool fails at once with "Too many connections", which would turn into 503s), and
    without redis-py's per-operation socket timeout: every engine call has its own deadline instead
    (`scripts.ENGINE_REDIS_TIMEOUT`, in `LotScripts.run` and `redis_guard`). On a cluster: a cluster
    client of its own, from the same seed addresses, without the socket timeout either."""
    if isinstance(app_redis, RedisCluster):
        return same_cluster(app_redis, socket_timeout=None)
    pool = app_redis.connection_pool
    blocking = EnginePool(
        connection_class=pool.connection_class,
        max_connections=ENGINE_MAX_CONNECTIONS,
        timeout=ENGINE_POOL_WAIT_SECONDS,
        **{**pool.connection_kwargs, "socket_timeout": None},
    )
    return Redis(connection_pool=blocking)


def make_bid_engine(redis: AppRedis, session_maker: async_sessionmaker[AsyncSession], live: Live) -> BidEngine:
    """This app's engine, on the app's Redis server (with its own pool) and database (started by the lifespan)."""
    return BidEngine(_engine_redis(redis), session_maker, publish_many=live.publish_many)


async def stop_bid_engine(engine: BidEngine) -> None:
    await engine.stop()
    await close_redis(engine.redis)


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
