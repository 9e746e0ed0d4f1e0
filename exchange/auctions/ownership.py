"""Every process of one database shares one bid engine.

The lots' sealed bids are decided in Redis, so two processes that each run their own embedded Redis
against one database (a second host started without REDIS_URL) would each accept bids on the same lot,
with their own sequence numbers: they fight (`engine_busy`, lost ties). So the database records which
engine keeps its lots (`bid_engine_identity.owner`):

* "shared": REDIS_URL names the Redis (or Redis Cluster) that every process of every host uses;
* "embedded:<host>:<data dir>": the embedded redis-server of one host's data directory.

Each process claims the engine when it starts. A process with an embedded Redis that finds the lots
kept by another engine (another host's, or the shared one) refuses to start, unless the database holds
no published lot yet (a fresh database) or BID_ENGINE_TAKEOVER=yes says that engine is gone for good.
A process with REDIS_URL takes over from an embedded engine (a single host growing to several); the
embedded process, if it still runs, then reports the conflict on /health and refuses to start again.
"""

from __future__ import annotations

import logging
import socket

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.engine import database_space
from exchange.auctions.models import EngineIdentity
from exchange.lots.models import Lot
from exchange.settings import Settings

__all__ = ["SHARED", "EngineConflict", "claim_engine", "claim_engine_at_start", "engine_owner", "recorded_owner"]

log = logging.getLogger("exchange.auctions")

SHARED = "shared"


class EngineConflict(RuntimeError):
    """Another bid engine keeps this database's lots: this process must not start its own."""


def engine_owner(settings: Settings) -> str:
    if not settings.redis.embedded:
        return SHARED
    return f"embedded:{socket.gethostname()}:{settings.data_dir.resolve()}"[:300]


async def recorded_owner(session_maker: async_sessionmaker[AsyncSession]) -> str | None:
    async with session_maker() as session:
        return await session.scalar(select(EngineIdentity.owner).where(EngineIdentity.id == 1))


async def claim_engine(session_maker: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    """Record this process's engine as the database's, or raise EngineConflict (see the module)."""
    owner = engine_owner(settings)
    await database_space(session_maker)  # the identity row exists from here on
    async with session_maker() as session, session.begin():
        identity = await session.get(EngineIdentity, 1, with_for_update=True)
        assert identity is not None
        if identity.owner in (None, owner):
            identity.owner = owner
            return
        if owner == SHARED or settings.bid_engine_takeover or not await _holds_lots(session):
            log.warning("the bid engine of this database was %s; it is now %s", identity.owner, owner)
            identity.owner = owner
            return
        raise EngineConflict(_conflict_message(identity.owner, owner))


async def claim_engine_at_start(session_maker: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    """`claim_engine` for an app starting: EngineConflict stops it; a database that is down is not a
    reason to stay down (its /health says so), the claim is then left to the next start."""
    try:
        await claim_engine(session_maker, settings)
    except EngineConflict as conflict:
        log.critical("%s", conflict)
        raise
    except Exception as error:  # the database is down or not migrated yet
        log.warning("could not record this process's bid engine in the database (%s)", type(error).__name__)


async def _holds_lots(session: AsyncSession) -> bool:
    return await session.scalar(select(Lot.id).where(Lot.published_at.is_not(None)).limit(1)) is not None


def _conflict_message(recorded: str, owner: str) -> str:
    other = (
        "the shared Redis (REDIS_URL)"
        if recorded == SHARED
        else f"the embedded Redis {recorded.removeprefix('embedded:')}"
    )
    return (
        f"Not starting: this database's lots and bids are kept by another bid engine, {other}, but this "
        f"process would run its own embedded Redis ({owner.removeprefix('embedded:')}). Two engines on one "
        "database would both accept bids on the same lots. With several hosts, set REDIS_URL on every host "
        "to the one shared Redis or Redis Cluster. If the other engine is gone for good (its host retired), "
        "start once with BID_ENGINE_TAKEOVER=yes."
    )
