"""The bid engine of a running app: created once per process, started and stopped with the app."""

from __future__ import annotations

from functools import partial
from typing import Any

from redis.asyncio import BlockingConnectionPool, ConnectionPool, Redis

from exchange.auctions.engine import BidEngine
from exchange.live.channels import lot_channel, publish_event, publish_events
from exchange.lots.events import on_lot_left_sale, on_lot_sold_elsewhere

__all__ = ["engine_of", "publisher_for", "start_auctions", "stop_auctions"]


def publisher_for(app_state: Any) -> Any:
    return partial(publish_event, app_state)


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
