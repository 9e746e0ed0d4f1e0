"""A whole private stack for one test: its own redis-server, database and app.

For tests that must stop Redis, or keep the scheduler from running, without disturbing the
session's shared server and app.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.accounts import services as account_services
from exchange.app import create_app
from exchange.clock import Clock
from exchange.db.engine import make_engine, make_session_maker
from exchange.redis.embedded import EmbeddedRedis
from exchange.settings import Settings
from tests.conftest import DEMO_PASSWORD, Actor, OrgFactory, make_settings, token_for, unique_email
from tests.support.databases import fresh_database_url

__all__ = ["AppStack", "Stack", "private_stack", "stack_on_redis"]


@dataclass
class AppStack:
    client: AsyncTestClient[Litestar]
    db: async_sessionmaker[AsyncSession]
    settings: Settings
    make_org: OrgFactory


@dataclass
class Stack(AppStack):
    redis_server: EmbeddedRedis


@asynccontextmanager
async def private_stack(
    *, scheduler: bool, clock: Clock | None = None, backend: str = "sqlite"
) -> AsyncIterator[Stack]:
    """A migrated database of its own (SQLite by default; `backend="postgresql"` under TEST_DATABASE_URL), a
    redis-server on a unix socket (the embedded server's settings), the app (on `clock`, the system's by default)."""
    root = Path(tempfile.mkdtemp(prefix="sx-stack-"))  # short: unix socket paths have a length limit
    redis_server = EmbeddedRedis(root / "r")
    redis_server.ensure_running()
    try:
        async with _app_stack(root, redis_server.url, scheduler=scheduler, clock=clock, backend=backend) as stack:
            yield Stack(stack.client, stack.db, stack.settings, stack.make_org, redis_server)
    finally:
        redis_server.stop()
        shutil.rmtree(root, ignore_errors=True)


@asynccontextmanager
async def stack_on_redis(redis_url: str, *, scheduler: bool) -> AsyncIterator[AppStack]:
    """`private_stack`, on a Redis it is given (a Redis Cluster)."""
    root = Path(tempfile.mkdtemp(prefix="sx-stack-"))
    try:
        async with _app_stack(root, redis_url, scheduler=scheduler, clock=None, backend="sqlite") as stack:
            yield stack
    finally:
        shutil.rmtree(root, ignore_errors=True)


@asynccontextmanager
async def _app_stack(
    root: Path, redis_url: str, *, scheduler: bool, clock: Clock | None, backend: str
) -> AsyncIterator[AppStack]:
    # Alembic runs its own loop
    database_url = await asyncio.to_thread(fresh_database_url, backend, root, suffix="stack")
    settings = make_settings(root / "data", database_url, redis_url, SCHEDULER="on" if scheduler else "off")
    engine = make_engine(settings.database)
    db = make_session_maker(engine)
    async with AsyncTestClient(app=create_app(settings, clock=clock)) as client:
        email = unique_email("admin")
        async with db() as session, session.begin():
            user = await account_services.create_admin(session, email, DEMO_PASSWORD)
        admin = Actor(user.id, None, email, await token_for(client, email), "admin")
        yield AppStack(client, db, settings, OrgFactory(client, admin))
    await engine.dispose()
