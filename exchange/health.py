"""GET /health: is the database up, is Redis up (on a cluster: every master, and the cluster's state),
and does this process share the database's one bid engine. 503 naming what is down."""

from __future__ import annotations

import asyncio

import msgspec
from litestar import Response, get
from litestar.datastructures import State
from redis.asyncio import Redis, RedisCluster
from sqlalchemy import text

from exchange.auctions.ownership import engine_owner, recorded_owner
from exchange.redis.connection import node_client
from exchange.redis.routing import AppRedis

__all__ = ["HealthOut", "health"]

CHECK_SECONDS = 3.0


class HealthOut(msgspec.Struct):
    status: str
    """"ok", or "degraded" (503) when anything in `down` is."""
    database: str
    redis: str
    redis_mode: str
    """"embedded", "external" (one Redis server) or "cluster"."""
    engine: str
    """"ok" when the database's bid engine is this process's, "conflict" when another engine keeps
    the lots (a host without REDIS_URL), "unknown" while the database does not answer."""
    down: list[str] = msgspec.field(default_factory=list)
    """What is down: "database", "redis", "engine"."""
    problems: list[str] = msgspec.field(default_factory=list)
    """One sentence each, for the operator."""


async def _database_problem(state: State) -> str | None:
    try:
        async with asyncio.timeout(CHECK_SECONDS), state.session_maker() as db:
            await db.execute(text("SELECT 1"))
    except Exception as error:  # any failure means "down" here; the detail is in the server log
        return f"The database does not answer ({type(error).__name__})."
    return None


async def _redis_problem(redis: AppRedis) -> str | None:
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            if not isinstance(redis, RedisCluster):
                await redis.ping()
                return None
            await redis.initialize()
            masters = redis.get_primaries()
    except Exception as error:
        return f"Redis does not answer ({type(error).__name__})."
    # Each master asked on a connection of its own: the cluster client drops all its connections when
    # one node fails, which would make the healthy ones look down too.
    problems = await asyncio.gather(
        *(_master_problem(node_client(redis, master, socket_timeout=CHECK_SECONDS), master.name) for master in masters)
    )
    return next((problem for problem in problems if problem is not None), None)


async def _master_problem(client: Redis, name: str) -> str | None:
    try:
        info = await client.cluster("INFO")
    except Exception as error:
        return f"The Redis Cluster master {name} does not answer ({type(error).__name__})."
    finally:
        await client.aclose()
    cluster_state = info.get("cluster_state") if isinstance(info, dict) else None
    if cluster_state != "ok":
        return f"The Redis Cluster master {name} reports cluster_state:{cluster_state}."
    return None


async def _engine_problem(state: State) -> tuple[str, str | None]:
    ours = engine_owner(state.settings)
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            recorded = await recorded_owner(state.session_maker)
    except Exception:
        return "unknown", None
    if recorded not in (None, ours):
        return "conflict", (
            f"Another bid engine ({recorded}) keeps this database's lots, not this process's ({ours}): "
            "set REDIS_URL on every host to the one shared Redis."
        )
    return "ok", None


@get("/health", tags=["system"], summary="Database, Redis and bid engine status", cache=False)
async def health(state: State) -> Response[HealthOut]:
    database, redis, (engine, engine_problem) = await asyncio.gather(
        _database_problem(state), _redis_problem(state.redis), _engine_problem(state)
    )
    checks = {"database": database, "redis": redis, "engine": engine_problem}
    down = [name for name, problem in checks.items() if problem is not None]
    body = HealthOut(
        status="degraded" if down else "ok",
        database="down" if database else "up",
        redis="down" if redis else "up",
        redis_mode=state.settings.redis.mode,
        engine=engine,
        down=down,
        problems=[problem for problem in checks.values() if problem is not None],
    )
    return Response(body, status_code=503 if down else 200)
