"""The bid engine of a running app: created once per process, started and stopped with the app."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from redis.asyncio import ConnectionPool, Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from exchange.auctions.engine import BidEngine
from exchange.live.channels import lot_channel, publish_event, publish_events
from exchange.lots.events import on_lot_left_sale, on_lot_sold_elsewhere

__all__ = ["engine_of", "publisher_for", "start_auctions", "stop_auctions"]


def publisher_for(app_state: Any) -> Any:
    return partial(publish_event, app_state)


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


def engine_of(app_state: Any) -> BidEngine:
    """This process's engine (made on first use, on the app's Redis server and database)."""
    engine: BidEngine | None = getattr(app_state, "bid_engine", None)
    if engine is None:
        engine = BidEngine(
            _engine_redis(app_state.redis), app_state.session_maker, publish_many=partial(publish_events, app_state)
        )
        app_state.bid_engine = engine
    return engine


async def start_auctions(app_state: Any) -> None:
    await engine_of(app_state).start()


async def stop_auctions(app_state: Any) -> None:
    engine: BidEngine | None = getattr(app_state, "bid_engine", None)
    if engine is not None:
        await engine.stop()
        await engine.redis.aclose(close_connection_pool=True)
        app_state.bid_engine = None


@on_lot_sold_elsewhere
async def _close_lot_sold_elsewhere(app_state: Any, lot_id: int) -> None:
    """A quote or proposal sold the lot (committed in SQL): refuse every later bid and purchase at once."""
    await engine_of(app_state).finish(lot_id, "sold", "sold")
    publish_event(app_state, lot_channel(lot_id), "status", {"status": "sold"})


@on_lot_left_sale
async def _close_lot_that_left_sale(app_state: Any, lot_id: int, status: str) -> None:
    """A lot moved out of `live` by another path (withdrawn, expired; committed in SQL): the engine
    refuses bids and purchases on it at once. (Without this SQL still refuses them, a little later.)"""
    await engine_of(app_state).finish(lot_id, "gone", status)
    publish_event(app_state, lot_channel(lot_id), "status", {"status": status})
