"""The asyncio Redis client for the app (bytes in, bytes out; callers decode): one server, or a Redis
Cluster when REDIS_URL says `redis+cluster://host:port,host:port,...`."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

import hiredis
from redis.asyncio import Redis, RedisCluster
from redis.asyncio.cluster import ClusterNode
from redis.asyncio.connection import Connection, SSLConnection, UnixDomainSocketConnection
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import DataError
from redis.exceptions import TimeoutError as RedisTimeoutError

from exchange.settings import CLUSTER_SCHEMES, cluster_seeds

__all__ = [
    "HiredisPackedConnection",
    "HiredisPackedUnixConnection",
    "close_redis",
    "make_cluster",
    "make_plain_redis",
    "make_redis",
    "node_client",
    "same_cluster",
]


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


def make_cluster(url: str, *, socket_timeout: float | None = 5) -> RedisCluster:
    """A Redis Cluster client from its seed addresses; it learns the others (and the slots) from them."""
    parts = urlsplit(url.split(",", 1)[0])
    client = RedisCluster(  # type: ignore[abstract]  # redis-py marks it abstract; it is not
        startup_nodes=[ClusterNode(host, port) for host, port in cluster_seeds(url)],
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        ssl=url.startswith("rediss+"),
        socket_timeout=socket_timeout,
        socket_connect_timeout=2,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=2),
        cluster_error_retry_attempts=3,
        # Slots of a master that is down stay unserved; the other masters keep serving theirs.
        require_full_coverage=False,
        max_connections=200,
        lib_name=None,  # (no CLIENT SETINFO on each new connection: redis-server 6.2 refuses it)
        lib_version=None,
    )
    if not url.startswith("rediss+"):
        client.nodes_manager.connection_kwargs["connection_class"] = HiredisPackedConnection
    return client


def same_cluster(client: RedisCluster, *, socket_timeout: float | None) -> RedisCluster:
    """Another client of the cluster `client` talks to (its own connections, another socket timeout)."""
    kwargs = client.nodes_manager.connection_kwargs
    other = RedisCluster(  # type: ignore[abstract]  # redis-py marks it abstract; it is not
        startup_nodes=[ClusterNode(node.host, node.port) for node in client.nodes_manager.startup_nodes.values()],
        username=kwargs.get("username"),
        password=kwargs.get("password"),
        ssl=kwargs.get("connection_class") is SSLConnection,
        socket_timeout=socket_timeout,
        socket_connect_timeout=2,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=2),
        require_full_coverage=False,
        lib_name=None,
        lib_version=None,
    )
    other.nodes_manager.connection_kwargs["connection_class"] = kwargs.get("connection_class", Connection)
    return other


def node_client(client: RedisCluster, node: ClusterNode | None = None, *, socket_timeout: float | None = None) -> Redis:
    """A plain client to one node of the cluster (by default its first seed node), with the cluster's
    credentials: for what has no cluster form (pub/sub), or to ask one node about itself."""
    node = node or next(iter(client.nodes_manager.startup_nodes.values()))
    kwargs = client.nodes_manager.connection_kwargs
    return Redis(
        host=node.host,
        port=int(node.port),
        socket_timeout=socket_timeout,
        username=kwargs.get("username"),
        password=kwargs.get("password"),
        ssl=kwargs.get("connection_class") is SSLConnection,
        socket_connect_timeout=2,
        health_check_interval=30,
    )


async def close_redis(client: Redis | RedisCluster) -> None:
    if isinstance(client, RedisCluster):
        await client.aclose()
    else:
        await client.aclose(close_connection_pool=True)


def make_redis(url: str) -> Redis | RedisCluster:
    """The client for REDIS_URL: a cluster client for `redis+cluster://...`, else one server's."""
    return make_cluster(url) if url.startswith(CLUSTER_SCHEMES) else make_plain_redis(url)


def make_plain_redis(url: str) -> Redis:
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
