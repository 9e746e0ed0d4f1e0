"""Litestar stores (sessions, rate limits) on the app's Redis, one server or a Redis Cluster."""

from __future__ import annotations

from typing import cast

from litestar.exceptions import ImproperlyConfiguredException
from litestar.stores.redis import RedisStore
from redis.asyncio import Redis, RedisCluster

from exchange.redis.routing import AppRedis

__all__ = ["ClusterRedisStore", "make_store"]


class ClusterRedisStore(RedisStore):
    """Litestar's RedisStore on a Redis Cluster. Each of its calls names one key (one slot), its renewing
    GET script included, so the cluster client routes them as they are; only `delete_all`, a SCAN inside
    one script, would see one node: here it scans every master."""

    async def delete_all(self) -> None:
        if not self.namespace:
            raise ImproperlyConfiguredException("Cannot perform delete operation: No namespace configured")
        cluster = cast(RedisCluster, self._redis)
        async for key in cluster.scan_iter(match=f"{self.namespace}*:*"):
            await cluster.unlink(key)


def make_store(redis: AppRedis, namespace: str) -> RedisStore:
    if isinstance(redis, RedisCluster):
        # RedisStore is typed for a plain client; it uses only what both clients have (see the class).
        return ClusterRedisStore(cast(Redis, redis), namespace=namespace)
    return RedisStore(redis, namespace=namespace)
