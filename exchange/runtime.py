"""What a running app holds, typed: built once by `create_app`'s lifespan and handed to request handlers
through dependency injection (`runtime: Runtime`) and to every scheduled job.

Services take the pieces they use from it (`runtime.bid_engine`, `runtime.clock`, `runtime.events`),
so mypy checks every call from one capability into another. Nothing registers itself into it: the
lifespan in `exchange.app` lists what goes in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.engine import BidEngine
from exchange.clock import Clock, SystemClock
from exchange.events import EventDispatcher
from exchange.live.channels import Live
from exchange.redis.routing import AppRedis
from exchange.settings import Settings

__all__ = ["Runtime", "clock_of", "provide_runtime"]


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    session_maker: async_sessionmaker[AsyncSession]
    redis: AppRedis
    """The app's Redis client, one server or a cluster (sessions, rate limits); the bid engine has its own pool."""
    live: Live
    """Live events to open pages (SSE over Redis pub/sub)."""
    bid_engine: BidEngine
    events: EventDispatcher
    clock: Clock


def provide_runtime(state: State) -> Runtime:
    """The dependency behind every `runtime: Runtime` parameter of a route handler."""
    runtime: Any = state.runtime
    assert isinstance(runtime, Runtime), "the app's lifespan has not built its runtime"
    return runtime


def clock_of(runtime: Runtime | None) -> Clock:
    """The runtime's clock, or the system's for a service called without one (a script, a unit test)."""
    return runtime.clock if runtime is not None else SystemClock()
