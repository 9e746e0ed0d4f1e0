from __future__ import annotations

import random
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.models import Bid
from exchange.auctions.receipts import parse_micros, verify_receipt
from exchange.orders.models import Order
from exchange.settings import Settings
from tests.conftest import OrgFactory
from tests.support.auctions import closing_lot, opening_report_when_closed
from tests.support.buyers import many_buyers
from tests.support.parallel import Call, fire_together_until_answered


async def test_five_hundred_concurrent_bids_keep_each_buyers_last_acknowledged_revision_and_award_the_right_bid(
    client: AsyncTestClient[Litestar],
    db: async_sessionmaker[AsyncSession],
    settings: Settings,
    make_org: OrgFactory,
) -> None:
    seller = await make_org("seller")
    buyers = await many_buyers(db, settings, 100)
    lot_id = await closing_lot(db, seller)  # open until every bid is answered, however slow the machine
    rng = random.Random(4)
    # Five different amounts per buyer from a narrow range, so that equal top bids (ties) are likely.
    calls = [
        Call("POST", f"/api/lots/{lot_id}/bids", buyer.headers, {"amount": f"{amount}.00"})
        for buyer in buyers
        for amount in rng.sample(range(900, 960), 5)
    ]
    rng.shuffle(calls)

    answers = fire_together_until_answered(client, calls)

    assert [a.status_code for a in answers] == [201] * len(calls), [a.text for a in answers if a.status_code != 201]
    acknowledged = [a.json() for a in answers]
    last: dict[int, dict[str, Any]] = {}
    for receipt in acknowledged:
        assert verify_receipt(receipt).ok
        org = receipt["bidder_org_id"]
        if org not in last or receipt["revision"] > last[org]["revision"]:
            last[org] = receipt

    async with db() as session:
        stored = {bid.bidder_org_id: bid for bid in await session.scalars(select(Bid).where(Bid.lot_id == lot_id))}
    assert set(stored) == set(last)
    for org, receipt in last.items():
        assert stored[org].revision == receipt["revision"]
        assert stored[org].receipt == receipt["receipt"]
        assert stored[org].amount_minor == int(receipt["amount"].replace(".", ""))

    report = await opening_report_when_closed(client, db, lot_id, seller)
    best = max(int(r["amount"].replace(".", "")) for r in last.values())
    tied = [r for r in last.values() if int(r["amount"].replace(".", "")) == best]
    first_time = min(parse_micros(r["placed_at"]) for r in tied)
    expected = {r["bidder_org_id"] for r in tied if parse_micros(r["placed_at"]) == first_time}
    assert report["status"] == "awarded"
    assert report["winner"]["bidder"]["org_id"] in expected
    assert len(report["bids"]) == len(last)
    async with db() as session:
        order = await session.scalar(select(Order).where(Order.lot_id == lot_id))
    assert order is not None
    assert order.buyer_org_id == report["winner"]["bidder"]["org_id"]
    assert order.amount_minor == best
    assert order.source == "award"
