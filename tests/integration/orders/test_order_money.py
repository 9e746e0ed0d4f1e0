"""Orders move money through the ledger: escrow filled at payment and emptied at settlement, bid deposits held,
credited to the winner or released, forfeited on non-payment; and a lot passes down the ranking to runners-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.closing import award_lot
from exchange.fees.rules import DEFAULT_SCHEDULE, split
from exchange.orders.models import Order
from tests.conftest import Actor, OrgFactory
from tests.support.lots import live_lot
from tests.support.orders import Sale, assert_ledger_balances, balances, fire_deadlines, new_sale


async def test_escrow_fills_at_payment_and_ends_at_zero_when_settled(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    sale = await new_sale(client, db, make_org, price_minor=1_234_567)
    await sale.pay()
    assert (await balances(db, order_id=sale.order_id))["escrow"] == 1_234_567
    await sale.ship()
    await sale.act("deliver", sale.buyer)
    assert (await sale.act("accept", sale.buyer)).status_code == 200
    assert (await balances(db, order_id=sale.order_id))["escrow"] == 0
    fee = split(1_234_567, DEFAULT_SCHEDULE).platform_fee
    assert fee == 61_728  # 5 %, half-up
    assert (await balances(db, org_id=sale.seller.org_id or 0))["seller_payable"] == 1_234_567 - fee
    await assert_ledger_balances(db)


async def _sealed_bid_sale(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, bids: list[str]
) -> tuple[Actor, list[Actor], int, Order]:
    """A sealed-bid lot with a 10 % deposit (of a 1000.00 reference value), one bidder per amount, closed."""
    seller = await make_org("seller")
    bidders = [await make_org("buyer") for _ in bids]
    lot_id = await live_lot(db, seller, deposit_percent=10, reference_price_minor=100_000, quantity_value="1")
    for bidder, amount in zip(bidders, bids, strict=True):
        deposit = await client.post(f"/api/lots/{lot_id}/deposit", headers=bidder.headers)
        assert deposit.status_code == 201, deposit.text
        placed = await client.post(f"/api/lots/{lot_id}/bids", json={"amount": amount}, headers=bidder.headers)
        assert placed.status_code == 201, placed.text
    awarded = await award_lot(db, lot_id)  # what the close does (without waiting for the closing time)
    assert awarded is not None
    async with db() as session:
        order = await session.scalar(select(Order).where(Order.lot_id == lot_id))
    assert order is not None
    return seller, bidders, lot_id, order


async def test_deposits_are_held_credited_to_the_winner_and_released_to_the_losers(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, (winner, loser), _lot_id, order = await _sealed_bid_sale(client, db, make_org, ["900.00", "800.00"])
    assert order.buyer_org_id == winner.org_id
    assert (await balances(db, org_id=winner.org_id or 0))["deposits_held"] == 100_00
    assert (await balances(db, org_id=loser.org_id or 0)).get("deposits_held", 0) == 0

    sale = Sale(client, seller, winner, order.id)
    assert (await sale.get())["amount_due"] == "800.00"  # 900.00 less the 100.00 deposit
    started = await sale.start_payment()
    assert started["amount"] == "800.00"
    await sale.callback(started["instructions"])
    assert (await balances(db, order_id=order.id))["escrow"] == 900_00
    assert (await balances(db, org_id=winner.org_id or 0))["deposits_held"] == 0
    await assert_ledger_balances(db)


async def test_non_payment_forfeits_the_deposit_and_the_lot_passes_down_the_ranking(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, (winner, second, third), lot_id, order = await _sealed_bid_sale(
        client, db, make_org, ["900.00", "850.00", "700.00"]
    )
    sale = Sale(client, seller, winner, order.id)
    early = await sale.act("runner-up-offer", seller)
    assert early.status_code == 409  # the winner still has time to pay
    await fire_deadlines(db, datetime.now(UTC) + timedelta(days=3, minutes=1))
    assert (await sale.get())["status"] == "cancelled"
    assert (await balances(db, org_id=winner.org_id or 0))["deposits_held"] == 0
    assert (await balances(db, org_id=seller.org_id or 0))["seller_payable"] == 95_00  # less the 5 % fee
    assert (await sale.act("runner-up-offer", winner)).status_code == 403

    first = await sale.act("runner-up-offer", seller)
    assert first.status_code == 201, first.text
    offer = first.json()
    assert (offer["org_id"], offer["amount"], offer["status"]) == (second.org_id, "850.00", "offered")
    assert (await sale.act("runner-up-offer", seller)).status_code == 409  # one open offer at a time
    assert (await client.get(f"/api/runner-up-offers/{offer['id']}", headers=third.headers)).status_code == 404
    assert (await client.post(f"/api/runner-up-offers/{offer['id']}/accept", headers=third.headers)).status_code == 404
    declined = await client.post(f"/api/runner-up-offers/{offer['id']}/decline", headers=second.headers)
    assert declined.json()["status"] == "declined"
    again = await client.post(f"/api/runner-up-offers/{offer['id']}/accept", headers=second.headers)
    assert again.status_code == 409

    nxt = (await sale.act("runner-up-offer", seller)).json()
    assert (nxt["org_id"], nxt["amount"]) == (third.org_id, "700.00")
    accepted = await client.post(f"/api/runner-up-offers/{nxt['id']}/accept", headers=third.headers)
    assert accepted.status_code == 200, accepted.text
    new_order = accepted.json()["order_id"]
    runner_sale = Sale(client, seller, third, new_order)
    view = await runner_sale.get()
    assert (view["status"], view["amount"], view["source"], view["amount_due"]) == (
        "awaiting_payment",
        "700.00",
        "runner_up",
        "700.00",  # its own deposit was released at the close
    )
    assert set(view["deadlines"]) == {"payment"}
    nobody = await sale.act("runner-up-offer", seller)
    assert nobody.status_code == 409  # the lot has a live order again
    async with db() as session:
        live = (
            await session.scalars(select(Order.id).where(Order.lot_id == lot_id, Order.status != "cancelled"))
        ).all()
    assert list(live) == [new_order]
    await runner_sale.pay()
    await assert_ledger_balances(db)


async def test_a_runner_up_offer_lapses_at_its_deadline(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    from exchange.orders.runner_up import lapse_due

    seller, (winner, second), _lot_id, order = await _sealed_bid_sale(client, db, make_org, ["900.00", "850.00"])
    await fire_deadlines(db, datetime.now(UTC) + timedelta(days=3, minutes=1))
    offer = (await Sale(client, seller, winner, order.id).act("runner-up-offer", seller)).json()
    # Other tests' offers share the database and may lapse on these runs too: look at this one's status.
    await lapse_due(db, datetime.fromisoformat(offer["due_at"]) - timedelta(seconds=1))
    before = await client.get(f"/api/runner-up-offers/{offer['id']}", headers=second.headers)
    assert before.json()["status"] == "offered"
    assert await lapse_due(db, datetime.fromisoformat(offer["due_at"]) + timedelta(seconds=1)) >= 1
    shown = await client.get(f"/api/runner-up-offers/{offer['id']}", headers=second.headers)
    assert shown.json()["status"] == "lapsed"
    late = await client.post(f"/api/runner-up-offers/{offer['id']}/accept", headers=second.headers)
    assert late.status_code == 409
    nobody = await Sale(client, seller, winner, order.id).act("runner-up-offer", seller)
    assert nobody.status_code == 409
    assert nobody.json()["code"] == "no_runner_up"


async def test_a_sale_on_a_third_org_runner_up_route_is_404(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    sale = await new_sale(client, db, make_org)
    other = await make_org("buyer")
    assert (await client.get("/api/runner-up-offers/999999", headers=other.headers)).status_code == 404
    for action in ("accept", "decline"):
        answer = await client.post(f"/api/runner-up-offers/999999/{action}", headers=sale.buyer.headers)
        assert answer.status_code == 404
