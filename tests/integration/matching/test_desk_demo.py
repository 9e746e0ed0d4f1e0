"""`exchange demo` gives the broker a client request with matches, near misses, a bundle and a sent proposal."""

from __future__ import annotations

import asyncio
from pathlib import Path

from exchange.accounts.services import load_principal
from exchange.db.engine import make_engine, make_session_maker
from exchange.demo import load_demo
from exchange.matching import proposals, requests
from exchange.matching.matches import bundles_for, matches_for
from exchange.settings import DatabaseSettings
from tests.support.databases import fresh_database_url


def test_the_demo_gives_the_broker_a_request_with_matches_a_bundle_and_a_sent_proposal(tmp_path: Path) -> None:
    url = fresh_database_url("sqlite", tmp_path)

    async def load_and_look() -> None:
        engine = make_engine(DatabaseSettings(url=url))
        sessions = make_session_maker(engine)
        async with sessions() as session, session.begin():
            context = await load_demo(session, "demo-password-123", progress=lambda _line: None)
        assert context is not None
        async with sessions() as session:
            broker = await load_principal(session, context.users["broker1"])
            client = await load_principal(session, context.users["buyer3"])
            assert broker is not None
            assert client is not None
            [request] = await requests.list_requests_for(session, broker)
            page = await matches_for(session, request)
            assert page.items
            assert page.near_misses
            bundles = await bundles_for(session, request, overage_percent=10)
            assert any(len(b.lots) > 1 for b in bundles.items), bundles
            [proposal] = await proposals.proposals_for(session, client)
            assert proposal.status == "sent"
            view = await proposals.for_client(session, proposal)
            assert view.total == "82500.00"
        await engine.dispose()

    asyncio.run(load_and_look())
