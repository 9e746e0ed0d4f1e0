"""The asyncio Redis client for the app (bytes in, bytes out; callers decode)."""

from __future__ import annotations

from typing import Any

import hiredis
from redis.asyncio import Redis
from redis.asyncio.connection import Connection, UnixDomainSocketConnection
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import DataError
from redis.exceptions import TimeoutError as RedisTimeoutError

__all__ = ["HiredisPackedConnection", "HiredisPackedUnixConnection", "make_redis"]


class _HiredisPacking:
    """Commands packed by hiredis in C, as redis-py's synchronous client already does when hiredis is
    installed; its asyncio client still packs every argument in Python (about a fifth of a bid's CPU)."""

    def pack_command(self, *args: Any) -> list[bytes]:
        if isinstance(args[0], str):  # "SCRIPT LOAD" and the like go out as separate words
            args = (*args[0].encode().split(), *args[1:])
        elif b" " in args[0]:
            args = (*args[0].split(), *args[1:])
        try:
            return [hiredis.pack_command(args)]
        except TypeError as error:
            raise DataError(str(error)) from None


class HiredisPackedConnection(_HiredisPacking, Connection):
    pass


class HiredisPackedUnixConnection(_HiredisPacking, UnixDomainSocketConnection):
    pass


_PACKED = {Connection: HiredisPackedConnection, UnixDomainSocketConnection: HiredisPackedUnixConnection}


def make_redis(url: str) -> Redis:
    client = Redis.from_url(
        url,
        socket_timeout=5,
        socket_connect_timeout=2,
        health_check_interval=30,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=2),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
        max_connections=200,
    )
    pool = client.connection_pool
    pool.connection_class = _PACKED.get(pool.connection_class, pool.connection_class)
    return client
