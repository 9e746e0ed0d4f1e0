"""`exchange demo` holds an order in every state, an open dispute, one in the admins' queue and a settled
order with its statement; its running deadlines fall due in the future and its money balances."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from exchange.accounts.services import load_principal
from exchange.audit.verify import verify_log
from exchange.db.engine import make_engine, make_session_maker
from exchange.demo import load_demo
from exchange.disputes.models import Dispute
from exchange.fees import documents
from exchange.orders.models import Order, OrderDeadline
from exchange.settings import DatabaseSettings
from tests.support.databases import fresh_database_url
from tests.support.orders import assert_ledger_balances


def test_the_demo_has_orders_in_every_state_with_disputes_and_a_settled_statement(tmp_path: Path) -> None:
    url = fresh_database_url("sqlite", tmp_path)

    async def load_and_look() -> None:
        engine = make_engine(DatabaseSettings(url=url))
        sessions = make_session_maker(engine)
        async with sessions() as session, session.begin():
            context = await load_demo(session, "demo-password-123", progress=lambda _line: None)
        assert context is not None
        assert any(line.startswith("orders  ") for line in context.report)
        async with sessions() as session:
            states = set((await session.scalars(select(Order.status))).all())
            wanted = {"awaiting_payment", "paid", "shipped", "delivered", "inspecting", "settled", "disputed"}
            assert wanted | {"resolved", "cancelled"} <= states
            disputes = {d.status for d in (await session.scalars(select(Dispute))).all()}
            assert {"open", "escalated", "resolved"} <= disputes
            running = (await session.scalars(select(OrderDeadline).where(OrderDeadline.fired_at.is_(None)))).all()
            assert running
            assert all(d.due_at.replace(tzinfo=UTC) > datetime.now(UTC) for d in running)
            settled = await session.scalar(select(Order).where(Order.status == "settled").order_by(Order.id))
            assert settled is not None
            seller = await load_principal(session, context.users["seller1"])
            assert seller is not None
            statement = await documents.statement_for(session, seller, settled.id, at=datetime.now(UTC))
            assert statement is not None
            audit = await verify_log(session)
            assert audit.ok, audit.violations
        await assert_ledger_balances(sessions)
        await engine.dispose()

    asyncio.run(load_and_look())
