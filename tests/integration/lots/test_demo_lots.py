from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from exchange.db.engine import make_session_maker
from exchange.demo import load_demo
from exchange.lots.models import Lot, LotInvite
from exchange.specs.catalog import get_catalog
from tests.support.databases import fresh_database_url


async def test_the_demo_loads_sixty_realistic_lots_across_every_category_some_private(tmp_path: Path) -> None:
    engine = create_async_engine(await asyncio.to_thread(fresh_database_url, "sqlite", tmp_path))
    try:
        async with make_session_maker(engine)() as session, session.begin():
            context = await load_demo(session, "demo-password-123", progress=lambda _: None)
        assert context is not None
        async with make_session_maker(engine)() as session:
            statuses = dict((await session.execute(select(Lot.status, func.count()).group_by(Lot.status))).all())
            categories = set(await session.scalars(select(Lot.category).where(Lot.status == "live")))
            private = await session.scalar(select(func.count()).select_from(Lot).where(Lot.visibility == "private"))
            invites = await session.scalar(select(func.count()).select_from(LotInvite))
    finally:
        await engine.dispose()

    assert sum(statuses.values()) >= 60
    assert statuses["live"] >= 45
    assert statuses["in_review"] >= 2
    assert statuses["draft"] >= 1
    assert statuses["sold"] >= 1
    assert categories == {c.code for c in get_catalog().leaves()}
    assert private >= 5
    assert invites >= private
