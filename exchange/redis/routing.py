"""Several commands in one round trip per Redis server, on a single Redis or a Redis Cluster.

On a single server the commands go down one pooled connection, as one pipeline. On a cluster each
command goes to the master of its key's slot: the commands are grouped by node, each group is one
pipeline on a connection to that node, and the groups are sent at the same time. A command a node
answers with a redirection (MOVED, ASK: the slot moved, or is moving) or a cluster refusal (TRYAGAIN,
CLUSTERDOWN) did not run there; it is sent again through the cluster client, which follows the
redirection and refreshes its map of slots, so no MOVED reaches a caller.

Error replies are returned in place of answers, not raised. Nothing is re-sent after a broken
connection: a script that did run must not run twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

from redis.asyncio import Redis, RedisCluster
from redis.asyncio.cluster import ClusterNode, PipelineCommand
from redis.exceptions import AskError, ClusterDownError, MovedError, ResponseError, TryAgainError

__all__ = ["AppRedis", "send_commands"]

if TYPE_CHECKING:
    AppRedis: TypeAlias = Redis | RedisCluster
    """The app's Redis client: one server (the embedded one, or REDIS_URL) or a Redis Cluster."""
else:
    # What annotations name at run time: Litestar's dependency injection makes a msgspec type of the
    # `Runtime` dataclass, and msgspec refuses a union of two classes (it does not check the values).
    AppRedis = Redis

_NOT_RUN_THERE = (MovedError, AskError, TryAgainError, ClusterDownError)


async def send_commands(client: AppRedis, commands: Sequence[tuple[Any, ...]], keys: Sequence[str]) -> list[Any]:
    """Send `commands` (each routed by its key in `keys`) and return their replies, in order."""
    if isinstance(client, RedisCluster):
        return await _send_to_cluster(client, commands, keys)
    return await _send_on_one_connection(client, commands)


async def _send_on_one_connection(client: Redis, commands: Sequence[tuple[Any, ...]]) -> list[Any]:
    """What redis-py's Pipeline does, without its per-command bookkeeping, and without its resend of the
    whole batch after a broken connection."""
    pool = client.connection_pool
    connection = await pool.get_connection("EVALSHA")
    try:
        await connection.send_packed_command(connection.pack_commands(commands), check_health=False)
        results: list[Any] = []
        for _command in commands:
            try:
                results.append(await connection.read_response())
            except ResponseError as error:
                results.append(error)
        return results
    except BaseException:
        await connection.disconnect(nowait=True)
        raise
    finally:
        await pool.release(connection)


async def _send_to_cluster(client: RedisCluster, commands: Sequence[tuple[Any, ...]], keys: Sequence[str]) -> list[Any]:
    await client.initialize()  # (at once when the map of slots is known)
    groups: dict[str, tuple[ClusterNode, list[PipelineCommand]]] = {}
    for position, (command, key) in enumerate(zip(commands, keys, strict=True)):
        node = client.nodes_manager.get_node_from_slot(client.keyslot(key))
        groups.setdefault(node.name, (node, []))[1].append(PipelineCommand(position, *command))
    sent = list(groups.values())
    if len(sent) == 1:
        await sent[0][0].execute_pipeline(sent[0][1])
    else:
        await asyncio.gather(*(node.execute_pipeline(group) for node, group in sent))
    results: list[Any] = [None] * len(commands)
    for _node, group in sent:
        for pipelined in group:
            result = pipelined.result
            if isinstance(result, _NOT_RUN_THERE):
                result = await _through_the_client(client, pipelined.args)
            results[pipelined.position] = result
    return results


async def _through_the_client(client: RedisCluster, command: tuple[Any, ...]) -> Any:
    """One command the cluster client sends where its slot lives now (following MOVED/ASK itself)."""
    try:
        return await client.execute_command(*command)
    except ResponseError as error:
        return error
