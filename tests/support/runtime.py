"""A runtime for code a test runs in its own event loop (the session's app runs in another one)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.runtime import lot_listeners, make_bid_engine
from exchange.events import EventDispatcher
from exchange.live.channels import Live
from exchange.runtime import Runtime

__all__ = ["runtime_in_this_loop"]


class _NoLive(Live):
    """Live events go nowhere (the channels plugin belongs to the app's loop)."""

    def publish(self, channel: str, event: str, data: dict[str, Any] | None = None) -> None:
        return None


@asynccontextmanager
async def runtime_in_this_loop(
    app_runtime: Runtime, redis: Redis, db: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Runtime]:
    """The app's runtime with this loop's clients and its own bid engine (as another worker process's),
    wired to the same listeners; live events are dropped."""
    live = _NoLive(app_runtime.live.channels, redis)
    engine = make_bid_engine(redis, db, live)
    try:
        yield dataclasses.replace(
            app_runtime,
            redis=redis,
            session_maker=db,
            live=live,
            bid_engine=engine,
            events=EventDispatcher(lot_listeners(engine, live.publish)),
        )
    finally:
        await engine.redis.aclose(close_connection_pool=True)
