"""Accepting an offer binds both sides: the thread page says so with the amount before it happens."""

from __future__ import annotations

import html

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import OrgFactory
from tests.support.pages import PageSession
from tests.support.rfq import count_orders, new_deal


async def test_accepting_a_counter_offer_without_javascript_asks_first_with_the_amount(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await new_deal(client, db, make_org)
    thread_id = (await deal.open_rfq())["id"]
    counter = await deal.offer(deal.seller, thread_id, "15000.00")
    pages = PageSession(client)
    await pages.sign_in(deal.buyer)
    try:
        thread = html.unescape((await pages.get(f"/rfqs/{thread_id}")).text)
        assert 'data-confirm="Accept this offer 15,000.00 CNY? Accepting binds both sides' in thread

        asked = await pages.post(f"/rfqs/{thread_id}/accept", {"offer_id": str(counter["id"]), "idempotency_key": "k1"})
        assert asked.status_code == 200
        text = html.unescape(asked.text)
        assert "Accept this offer?" in text
        assert "You pay 15,000.00 CNY into escrow; the seller ships after the payment." in text
        assert 'name="idempotency_key" value="k1"' in text
        assert await count_orders(db, deal.lot_id) == 0

        done = await pages.post(
            f"/rfqs/{thread_id}/accept",
            {"offer_id": str(counter["id"]), "idempotency_key": "k1", "confirmed": "yes"},
        )
        assert done.status_code == 303
        assert await count_orders(db, deal.lot_id) == 1
    finally:
        pages.close()
