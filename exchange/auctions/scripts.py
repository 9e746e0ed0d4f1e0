"""The Lua scripts of the engine, the Redis keys of a lot, and the mapping of Redis failures to 503.

Scripts live as `.lua` files in `lua/`, are read once with importlib.resources, and are called by SHA
through redis-py `Script` objects, which load the script again when the server answers NOSCRIPT (a
restarted or replaced Redis). Every key of one lot shares the hash tag `{<lot id>}`, so each script
touches a single Redis Cluster slot.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError, RedisError

from exchange.auctions.errors import ENGINE_UNAVAILABLE
from exchange.errors import ServiceUnavailable
from exchange.redis.routing import AppRedis, send_commands

__all__ = [
    "CLOSING_SHARDS",
    "ENGINE_REDIS_TIMEOUT",
    "SCRIPT_NAMES",
    "LotKeys",
    "LotScripts",
    "closing_index",
    "closing_shard",
    "engine_unavailable",
    "redis_guard",
]

log = logging.getLogger("exchange.auctions")

ENGINE_REDIS_TIMEOUT = 5.0
"""Longest wait for one engine call to Redis (with redis-py's reconnect retries) before answering 503.
The engine's client has no per-socket-operation timeout (redis-py wraps every send of such a client in
a task of its own, a tenth of a bid's CPU); this one deadline per call bounds it instead."""

SCRIPT_NAMES = (
    "place_bid",
    "withdraw_bid",
    "purchase",
    "confirm_purchase",
    "release_purchase",
    "close",
    "finish_close",
    "load_lot",
    "confirm_bids",
    "add_deposit",
)


class LotKeys:
    """The Redis keys of one lot's state, in the key space of one database (`space`, e.g. "sx:3f9a1c2b:").
    All carry the lot's hash tag, so they live in one Redis Cluster slot."""

    __slots__ = ("bids", "deposits", "idem", "invited", "loading", "lot_id", "space", "state", "tag")

    def __init__(self, lot_id: int, space: str = "") -> None:
        self.lot_id = lot_id
        self.space = space
        self.tag = f"{space}lot:{{{lot_id}}}"
        self.state = self.tag
        self.bids = f"{self.tag}:bids"
        self.idem = f"{self.tag}:idem"
        self.deposits = f"{self.tag}:deposits"
        self.invited = f"{self.tag}:invited"
        self.loading = f"{self.tag}:loading"

    def all(self) -> tuple[str, ...]:
        return (self.state, self.bids, self.idem, self.deposits, self.invited, self.loading)


CLOSING_SHARDS = 16
"""The closing schedule is this many sorted sets, a lot in the one its id picks: no single hot key, and on a
Redis Cluster the shards spread over the masters (each has its own hash tag)."""


def closing_index(space: str, lot_id: int) -> str:
    """The sorted set (sealed-bid lot ids by close time, µs) that schedules this lot's close. Not in the
    lot's slot: scripts never touch it."""
    return closing_shard(space, lot_id % CLOSING_SHARDS)


def closing_shard(space: str, shard: int) -> str:
    return f"{space}closes:{{c{shard}}}"


def _source(name: str) -> str:
    return resources.files("exchange.auctions").joinpath("lua", f"{name}.lua").read_text(encoding="utf-8")


class LotScripts:
    """The engine's scripts registered on one Redis client: `await scripts.run("close", keys, args)`."""

    def __init__(self, redis: AppRedis) -> None:
        self.redis = redis
        # (redis-py types register_script for its plain client only; its cluster client has it too)
        self._scripts: dict[str, AsyncScript] = {
            name: redis.register_script(_source(name))  # type: ignore[misc]
            for name in SCRIPT_NAMES
        }

    def __getitem__(self, name: str) -> AsyncScript:
        return self._scripts[name]

    async def run(self, name: str, keys: Sequence[str], args: Sequence[Any]) -> Any:
        """One script call by SHA; on NOSCRIPT the `Script` loads its source again and the call is repeated
        (what `Script.__call__` does, without its per-call overhead on the bid hot path). Redis being down
        or loading becomes a 503 for the caller."""
        script = self._scripts[name]
        try:
            async with asyncio.timeout(ENGINE_REDIS_TIMEOUT):
                try:
                    return await self.redis.evalsha(script.sha, len(keys), *keys, *args)  # type: ignore[misc]
                except NoScriptError:
                    script.sha = await self.redis.script_load(script.script)
                    return await self.redis.evalsha(script.sha, len(keys), *keys, *args)  # type: ignore[misc]
        except (RedisError, OSError, TimeoutError) as error:
            log.warning("bid engine: Redis unavailable (%s)", type(error).__name__)
            raise engine_unavailable() from None

    async def run_each(self, name: str, calls: Sequence[tuple[Sequence[str], Sequence[Any]]]) -> list[Any]:
        """Several calls of one script in a single round trip (a pipeline of EVALSHA, not a transaction):
        each call's answer, or a 503 error for a call Redis failed. Calls that met NOSCRIPT did not run;
        only those are sent again once the script is loaded (so the script need not be idempotent).
        Raises the 503 when Redis cannot be reached at all."""
        script = self._scripts[name]
        answers: list[Any] = [None] * len(calls)
        todo = list(range(len(calls)))
        async with redis_guard():
            for _attempt in range(2):
                commands = [("EVALSHA", script.sha, len(calls[i][0]), *calls[i][0], *calls[i][1]) for i in todo]
                keys = [calls[i][0][0] for i in todo]  # (a call's keys share one slot)
                results = await send_commands(self.redis, commands, keys)
                missing = []
                for index, result in zip(todo, results, strict=True):
                    if isinstance(result, NoScriptError):
                        missing.append(index)
                    elif isinstance(result, Exception):
                        log.warning("bid engine: a script call failed (%s)", type(result).__name__)
                        answers[index] = engine_unavailable()
                    else:
                        answers[index] = result
                if not missing:
                    return answers
                todo = missing
                script.sha = await self.redis.script_load(script.script)
        for index in todo:
            answers[index] = engine_unavailable()
        return answers

    async def run_many(self, name: str, calls: Sequence[tuple[Sequence[str], Sequence[Any]]]) -> list[Any]:
        """`run_each`, all or nothing: every call's answer, or the 503 when any call failed."""
        answers = await self.run_each(name, calls)
        for answer in answers:
            if isinstance(answer, Exception):
                raise answer
        return answers


def engine_unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(
        "The bidding engine is briefly unavailable. Nothing was changed; please try again in a moment.",
        code=ENGINE_UNAVAILABLE,
        retry_after=2,
    )


@asynccontextmanager
async def redis_guard() -> AsyncIterator[None]:
    """Turn any Redis failure (down, loading its data, out of memory, read-only) into a clean 503.

    Only the exception class is logged: error texts could carry script arguments.
    """
    try:
        async with asyncio.timeout(ENGINE_REDIS_TIMEOUT):
            yield
    except RedisError as error:
        log.warning("bid engine: Redis unavailable (%s)", type(error).__name__)
        raise engine_unavailable() from None
    except TimeoutError:
        log.warning("bid engine: Redis did not answer within %.0f s", ENGINE_REDIS_TIMEOUT)
        raise engine_unavailable() from None
    except OSError as error:
        log.warning("bid engine: Redis connection failed (%s)", type(error).__name__)
        raise engine_unavailable() from None
