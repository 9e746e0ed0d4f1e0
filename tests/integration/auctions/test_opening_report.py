from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.models import BidDeposit
from exchange.auctions.receipts import verify_receipt
from exchange.lots.models import Lot
from exchange.orders.models import Order
from tests.conftest import Actor, OrgFactory
from tests.support.auctions import CLOSE_WITHIN, closing_lot, opening_report_when_closed
from tests.support.pages import PageSession
from tests.support.waiting import eventually


async def _bid(client: AsyncTestClient[Litestar], lot_id: int, buyer: Actor, amount: str) -> dict:
    answer = await client.post(f"/api/lots/{lot_id}/bids", json={"amount": amount}, headers=buyer.headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def _notified(client: AsyncTestClient[Litestar], actor: Actor, kind: str) -> bool:
    """Whether `actor` is told `kind`: the close's notifications follow the award a moment later."""

    async def probe() -> bool | None:
        answer = await client.get("/api/notifications", headers=actor.headers)
        return True if kind in [item["kind"] for item in answer.json()["items"]] else None

    return await eventually(probe, within=CLOSE_WITHIN)


async def test_the_opening_report_ranks_every_final_bid_and_names_bidders_only_to_the_seller(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, admin: Actor
) -> None:
    seller = await make_org("seller")
    low, reviser, steady = await make_org("buyer"), await make_org("buyer"), await make_org("buyer")
    lot_id = await closing_lot(db, seller)
    await _bid(client, lot_id, low, "300.00")
    superseded = await _bid(client, lot_id, reviser, "500.00")
    steady_receipt = await _bid(client, lot_id, steady, "450.00")
    reviser_receipt = await _bid(client, lot_id, reviser, "450.00")  # ties with steady, but placed later

    for viewer in (seller, admin, low, steady):
        sealed = await client.get(f"/api/lots/{lot_id}/bids", headers=viewer.headers)
        assert sealed.status_code == 403
        assert sealed.json()["code"] == "bids_sealed"

    report = await opening_report_when_closed(client, db, lot_id, seller)
    assert report["status"] == "awarded"
    assert [entry["amount"] for entry in report["bids"]] == ["450.00", "450.00", "300.00"]
    assert [entry["rank"] for entry in report["bids"]] == [1, 2, 3]
    assert report["winner"]["bidder"]["org_id"] == steady.org_id
    assert report["winner"]["price"] == "450.00"
    assert {entry["bidder"]["org_id"] for entry in report["bids"]} == {low.org_id, reviser.org_id, steady.org_id}
    assert [(tie["amount"], tie["ranks"], tie["rule"]) for tie in report["ties"]] == [
        ("450.00", [1, 2], "earlier_bid_first")
    ]

    as_low = (await client.get(f"/api/lots/{lot_id}/bids", headers=low.headers)).json()
    named = [entry for entry in as_low["bids"] if entry["bidder"] is not None]
    assert [entry["bidder"]["org_id"] for entry in named] == [low.org_id]
    assert named[0]["mine"] is True
    assert as_low["winner"]["bidder"] is None
    as_admin = (await client.get(f"/api/lots/{lot_id}/bids", headers=admin.headers)).json()
    assert all(entry["bidder"] is None for entry in as_admin["bids"])

    page = PageSession(client)
    try:  # the page shows the tie and says how it was broken; the loser can see why it lost
        await page.sign_in(reviser)
        shown = (await page.get(f"/lots/{lot_id}/opening")).text
        assert shown.count('data-testid="tie-badge"') == 2
        assert "Tied at 450.00 CNY: ranks 1, 2, in the order they were placed." in shown
        assert "the earlier bid ranks higher" in shown
        assert f'data-receipt="{reviser_receipt["receipt"]}"' in shown
        assert 'id="check-receipt"' in shown
    finally:
        page.close()

    assert verify_receipt(steady_receipt, report).ok
    assert verify_receipt(reviser_receipt, report).rank == 2
    assert not verify_receipt(superseded, report).ok

    mine = (await client.get(f"/api/lots/{lot_id}/bids/mine", headers=steady.headers)).json()
    assert mine["outcome"] == "won"
    assert (await client.get("/api/bids/mine", headers=low.headers)).json()["items"][0]["outcome"] == "lost"
    assert await _notified(client, steady, "bid_won")
    assert await _notified(client, low, "bid_lost")
    assert await _notified(client, seller, "lot_closed")
    async with db() as session:
        order = await session.scalar(select(Order).where(Order.lot_id == lot_id))
    assert order is not None
    assert (order.buyer_org_id, order.amount_minor, order.source) == (steady.org_id, 450_00, "award")


async def test_under_second_price_rules_the_winner_pays_the_runner_up_bid(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, first, second = await make_org("seller"), await make_org("buyer"), await make_org("buyer")
    lot_id = await closing_lot(db, seller, second_price=True, reserve_price_minor=200_00)
    await _bid(client, lot_id, first, "900.00")
    await _bid(client, lot_id, second, "310.00")

    report = await opening_report_when_closed(client, db, lot_id, seller)
    assert report["pricing"] == "second_price"
    assert report["winner"]["amount"] == "900.00"
    assert report["winner"]["price"] == "310.00"
    async with db() as session:
        assert await session.scalar(select(Order.amount_minor).where(Order.lot_id == lot_id)) == 310_00


async def test_a_lot_closes_unsold_when_no_bid_reaches_the_hidden_reserve(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    lot_id = await closing_lot(db, seller, reserve_price_minor=1_234_56)
    await _bid(client, lot_id, buyer, "1000.00")

    report = await opening_report_when_closed(client, db, lot_id, buyer)
    assert report["status"] == "unsold"
    assert report["winner"] is None
    assert "1234.56" not in str(report)
    async with db() as session:
        assert await session.scalar(select(Lot.status).where(Lot.id == lot_id)) == "unsold"
        assert await session.scalar(select(Order.id).where(Order.lot_id == lot_id)) is None
    assert (await client.get(f"/api/lots/{lot_id}/bids/mine", headers=buyer.headers)).json()["outcome"] == "lost"


async def test_a_lot_that_requires_a_deposit_refuses_bids_until_the_buyer_holds_one(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, winner, loser = await make_org("seller"), await make_org("buyer"), await make_org("buyer")
    lot_id = await closing_lot(db, seller, deposit_percent=5, reference_price_minor=200)  # 5% of 2.00 x 5000 m

    refused = await client.post(f"/api/lots/{lot_id}/bids", json={"amount": "700"}, headers=winner.headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "deposit_required"
    for buyer in (winner, loser):
        held = await client.post(f"/api/lots/{lot_id}/deposit", headers=buyer.headers)
        assert held.status_code == 201
        assert held.json()["amount"] == "500.00"
    again = await client.post(f"/api/lots/{lot_id}/deposit", headers=winner.headers)
    assert again.status_code == 200
    await _bid(client, lot_id, winner, "700.00")
    await _bid(client, lot_id, loser, "600.00")

    await opening_report_when_closed(client, db, lot_id, seller)
    async with db() as session:
        statuses = dict(
            (
                await session.execute(select(BidDeposit.org_id, BidDeposit.status).where(BidDeposit.lot_id == lot_id))
            ).all()
        )
    assert statuses == {winner.org_id: "applied", loser.org_id: "released"}
    assert (await client.get(f"/api/lots/{lot_id}/deposit", headers=loser.headers)).json()["status"] == "released"
