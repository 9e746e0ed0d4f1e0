from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from exchange.accounts.services import load_principal
from exchange.db.engine import make_engine, make_session_maker
from exchange.demo import load_demo
from exchange.orders.models import Order
from exchange.rfq import services
from exchange.settings import DatabaseSettings
from tests.support.databases import fresh_database_url


def test_the_demo_holds_a_live_negotiation_a_deal_with_a_credited_sample_and_quotes_to_compare(
    tmp_path: Path,
) -> None:
    url = fresh_database_url("sqlite", tmp_path)

    async def load_and_look() -> None:
        engine = make_engine(DatabaseSettings(url=url))
        sessions = make_session_maker(engine)
        async with sessions() as session, session.begin():
            context = await load_demo(session, "demo-password-123", progress=lambda _line: None)
        assert context is not None
        async with sessions() as session:
            buyer1 = await load_principal(session, context.users["buyer1"])
            buyer2 = await load_principal(session, context.users["buyer2"])
            assert buyer1 is not None
            assert buyer2 is not None
            threads = await services.list_threads_for(session, buyer1)
            assert [(t.status, t.waiting_for) for t in threads] == [("open", "buyer")]
            order = await session.scalar(select(Order).where(Order.source == "quote"))
            assert order is not None
            assert order.amount_minor == 1_565_000
            assert order.terms["sample_fee_credited"] == "150.00"
            wanted = await services.list_wanted(session, buyer2)
            comparison = await services.compare_answers(session, buyer2, wanted[0].id)
            assert len(comparison.rows) == 2
            assert all(row.unit_price and row.can_accept for row in comparison.rows)
        await engine.dispose()

    asyncio.run(load_and_look())
