"""An RFQ acceptance and a fixed-price purchase racing over HTTP on one lot: one order, one 409."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import OrgFactory
from tests.support.parallel import Call, fire_together
from tests.support.rfq import count_orders, new_deal


async def test_an_accept_and_a_purchase_racing_over_http_make_exactly_one_order(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    purchaser = await make_org("buyer")
    winners = set()
    for round_ in range(4):
        deal = await new_deal(client, db, make_org)
        thread_id = (await deal.open_rfq())["id"]
        quote = await deal.offer(deal.seller, thread_id, "38000.00")
        accept = Call("POST", f"/api/rfqs/{thread_id}/accept", deal.buyer.headers, {"offer_id": quote["id"]})
        purchase = Call("POST", f"/api/lots/{deal.lot_id}/purchase", purchaser.headers)
        calls = [accept, purchase] if round_ % 2 == 0 else [purchase, accept]
        answers = fire_together(client, calls)
        codes = sorted(answer.status_code for answer in answers)
        assert codes == [201, 409], [answer.text for answer in answers]
        assert await count_orders(db, deal.lot_id) == 1
        winner = next(answer for answer in answers if answer.status_code == 201).json()
        winners.add(winner["source"])
        lot = (await client.get(f"/api/lots/{deal.lot_id}", headers=deal.seller.headers)).json()
        assert lot["status"] == "sold"
    assert winners <= {"quote", "purchase"}
