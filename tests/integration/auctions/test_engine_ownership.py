"""Every process of one database shares one bid engine: a process that would run its own embedded Redis
beside another engine's lots refuses to start, and /health of a process the lots moved away from says so."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.app import create_app
from exchange.auctions.ownership import EngineConflict, claim_engine
from exchange.db.engine import make_engine, make_session_maker
from exchange.settings import Settings
from tests.conftest import Actor, make_settings
from tests.support.buyers import registered_orgs
from tests.support.databases import fresh_database_url
from tests.support.lots import live_lot


async def _seller(db: async_sessionmaker[AsyncSession], settings: Settings) -> Actor:
    return (await registered_orgs(db, settings.secret_key, "seller", 1))[0]


async def test_a_second_host_without_redis_url_refuses_a_database_whose_lots_another_engine_keeps(
    tmp_path: Path, redis_url: str
) -> None:
    database_url = await asyncio.to_thread(fresh_database_url, "sqlite", tmp_path)
    first = make_settings(tmp_path / "host-a", database_url, "", SCHEDULER="off")  # embedded Redis
    second = make_settings(tmp_path / "host-b", database_url, "", SCHEDULER="off")
    shared = make_settings(tmp_path / "host-c", database_url, redis_url, SCHEDULER="off")
    engine = make_engine(first.database)
    db = make_session_maker(engine)
    try:
        async with AsyncTestClient(app=create_app(first)) as host_a:
            await live_lot(db, await _seller(db, first))
            assert (await host_a.get("/health")).json()["engine"] == "ok"

            with pytest.raises(EngineConflict, match="set REDIS_URL on every host"):
                await claim_engine(db, second)

            await claim_engine(db, shared)  # the operator moves the lots to a shared Redis
            answer = await host_a.get("/health")
            assert answer.status_code == 503
            assert answer.json()["down"] == ["engine"]
            assert answer.json()["engine"] == "conflict"

        with pytest.raises(EngineConflict):
            await claim_engine(db, first)  # host A, restarted without REDIS_URL, stays down
        await claim_engine(db, dataclasses.replace(first, bid_engine_takeover=True))  # unless told
    finally:
        await engine.dispose()


async def test_an_embedded_engine_may_take_a_database_that_has_no_published_lot_yet(
    tmp_path: Path, redis_url: str
) -> None:
    database_url = await asyncio.to_thread(fresh_database_url, "sqlite", tmp_path)
    engine = make_engine(make_settings(tmp_path / "a", database_url, redis_url).database)
    db = make_session_maker(engine)
    try:
        await claim_engine(db, make_settings(tmp_path / "a", database_url, redis_url))
        await claim_engine(db, make_settings(tmp_path / "b", database_url, ""))  # nothing to fight over
    finally:
        await engine.dispose()
