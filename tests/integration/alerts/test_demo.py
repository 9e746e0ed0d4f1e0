from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from exchange.alerts.models import SavedSearch, SavedSearchAlert, SlowSaleCheck
from exchange.db.engine import make_engine, make_session_maker
from exchange.demo import load_demo
from exchange.notifications.models import Notification
from exchange.settings import DatabaseSettings
from tests.support.databases import fresh_database_url


def test_the_demo_buyer_has_saved_searches_that_fired_and_a_seller_has_slow_sale_advice(tmp_path: Path) -> None:
    url = fresh_database_url("sqlite", tmp_path)

    async def load_and_look() -> None:
        engine = make_engine(DatabaseSettings(url=url))
        sessions = make_session_maker(engine)
        async with sessions() as session, session.begin():
            context = await load_demo(session, "demo-password-123", progress=lambda _line: None)
        assert context is not None
        async with sessions() as session:
            buyer = context.orgs["buyer1"]
            searches = list(await session.scalars(select(SavedSearch).where(SavedSearch.org_id == buyer)))
            assert len(searches) == 3
            alerts = list(await session.scalars(select(SavedSearchAlert).where(SavedSearchAlert.org_id == buyer)))
            assert {a.frequency for a in alerts} == {"instant", "daily"}
            assert len({a.lot_id for a in alerts}) == 1  # only the lot that went live after the searches
            kinds = list(await session.scalars(select(Notification.kind).where(Notification.org_id == buyer)))
            assert kinds.count("saved_search_alert") == 1
            advised = await session.scalar(select(SlowSaleCheck).where(SlowSaleCheck.advice.is_not(None)))
            assert advised is not None
        await engine.dispose()

    asyncio.run(load_and_look())
