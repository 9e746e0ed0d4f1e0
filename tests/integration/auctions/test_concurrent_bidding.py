from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
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
from tests.support.buyers import many_buyers
from tests.support.lots import live_lot
from tests.support.parallel import Call, fire_together
from tests.support.waiting import eventually

BIDDING_WINDOW = timedelta(seconds=7)


async def test_five_hundred_concurrent_bids_keep_each_buyers_last_acknowledged_revision_and_award_the_right_bid(
    client: AsyncTestClient[Litestar],
    db: async_sessionmaker[AsyncSession],
    settings: Settings,
    make_org: OrgFactory,
) -> None:
    seller = await make_org("seller")
    buyers = await many_buyers(db, settings, 100)
    closes_at = datetime.now(UTC) + BIDDING_WINDOW
    lot_id = await live_lot(db, seller, closes_at=closes_at)
    rng = random.Random(4)
    # Five different amounts per buyer from a narrow range, so that equal top bids (ties) are likely.
    calls = [
        Call("POST", f"/api/lots/{lot_id}/bids", buyer.headers, {"amount": f"{amount}.00"})
        for buyer in buyers
        for amount in rng.sample(range(900, 960), 5)
    ]
    rng.shuffle(calls)

    answers = fire_together(client, calls)

    assert {a.status_code for a in answers} <= {201, 409}, [a.text for a in answers if a.status_code not in (201, 409)]
    acknowledged = [a.json() for a in answers if a.status_code == 201]
    assert len(acknowledged) > 250, "most bids should land well before the deadline"
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

    async def opening_report() -> dict[str, Any] | None:
        report = await client.get(f"/api/lots/{lot_id}/bids", headers=seller.headers)
        return report.json() if report.status_code == 200 else None

    report = await eventually(opening_report, within=BIDDING_WINDOW.total_seconds() + 5)
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
