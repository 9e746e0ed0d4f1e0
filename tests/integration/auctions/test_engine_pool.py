"""The engine's Redis pool: a burst waits for a free connection (never "Too many connections"), and a caller
that finds every connection busy past the pool's timeout gets a ConnectionError (the engine answers 503)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from exchange.auctions.runtime import EnginePool
from exchange.redis.connection import make_redis


class CountingPool(EnginePool):
    made = 0

    def make_connection(self) -> Any:
        self.made += 1
        return super().make_connection()


def _pool(redis_url: str, *, max_connections: int, timeout: float) -> CountingPool:
    app_pool = make_redis(redis_url).connection_pool
    return CountingPool(
        connection_class=app_pool.connection_class,
        max_connections=max_connections,
        timeout=timeout,
        **app_pool.connection_kwargs,
    )


async def test_a_burst_larger_than_the_pool_waits_its_turn_on_at_most_max_connections(redis_url: str) -> None:
    pool = _pool(redis_url, max_connections=2, timeout=10)
    client = Redis(connection_pool=pool)
    try:
        # Each call holds its connection for 20 ms on the server: 20 of them need to take turns.
        answers = await asyncio.gather(*(client.blpop(["engine-pool:nothing"], timeout=0.02) for _ in range(20)))
        assert answers == [None] * 20
        assert pool.made == 2
    finally:
        await client.aclose(close_connection_pool=True)


async def test_a_caller_finding_every_connection_busy_past_the_timeout_gets_a_connection_error(redis_url: str) -> None:
    pool = _pool(redis_url, max_connections=2, timeout=0.2)
    client = Redis(connection_pool=pool)
    try:
        held = [await pool.get_connection("PING"), await pool.get_connection("PING")]
        started = time.monotonic()
        with pytest.raises(RedisConnectionError, match="No connection available"):
            await client.ping()
        assert time.monotonic() - started >= 0.2
        await pool.release(held.pop())
        assert await client.ping() is True
        held.append(await pool.get_connection("PING"))
        waiting = asyncio.create_task(client.ping())  # waits for a held connection…
        await asyncio.sleep(0)
        assert not waiting.done()
        await pool.release(held.pop())  # …and gets it
        assert await asyncio.wait_for(waiting, 5) is True
        await pool.release(held.pop())
        assert pool.made == 2
    finally:
        await client.aclose(close_connection_pool=True)
