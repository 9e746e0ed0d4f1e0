"""Test-only: orders from every source a sale has, made the way their parties make them (through the API and the
lot services), on the app's clock: a fixed-price purchase, a sealed-bid award with bid deposits, an accepted
RFQ quote after a paid sample, and an accepted broker proposal.

Each answers a `Made` with the order and the money that moved outside the order's own amount (the winner's
deposit posted at the close, a sample fee paid to the seller), so a test can keep account of every fen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.closing import award_lot
from tests.conftest import Actor
from tests.support.desk import Desk
from tests.support.lots import live_lot
from tests.support.rfq import Deal

__all__ = ["Made", "Sources", "minor"]


def minor(amount: str | None) -> int:
    """A CNY decimal string of the API as minor units."""
    return int(Decimal(amount or "0").scaleb(2))


@dataclass
class Made:
    order_id: int
    lot_id: int
    deposit_posted: int = 0
    """The winner's bid deposit, taken from the outside world at the close (credited against the order)."""
    sample_fee: int = 0
    """A paid sample's fee: from the outside world to the seller, credited on the order."""
    bids: list[tuple[Actor, int]] = field(default_factory=list)
    """A sealed-bid lot's bidders, best first, with their final bids."""


@dataclass
class Sources:
    client: AsyncTestClient[Litestar]
    db: async_sessionmaker[AsyncSession]
    seller: Actor
    broker: Actor

    async def purchase(self, buyer: Actor, price_minor: int, now: datetime) -> Any:
        """The buyer buys a live fixed-price lot: the API's answer (201 with the order, or a refusal)."""
        lot_id = await live_lot(
            self.db, self.seller, sale_mode="fixed_price", price_minor=price_minor, published_at=now
        )
        return await self.client.post(f"/api/lots/{lot_id}/purchase", headers=buyer.headers)

    async def award(self, bidders: list[tuple[Actor, str]], now: datetime) -> Made:
        """A sealed-bid lot with a 10 % deposit: each bidder places its deposit and its bid, the lot closes and
        the best bid wins (its deposit posted, the others' released)."""
        lot_id = await live_lot(
            self.db,
            self.seller,
            deposit_percent=10,
            reference_price_minor=100_000,
            quantity_value="1",
            published_at=now,
            closes_at=now + timedelta(days=3),
        )
        deposits: dict[int, int] = {}
        for bidder, amount in bidders:
            deposit = await self.client.post(f"/api/lots/{lot_id}/deposit", headers=bidder.headers)
            assert deposit.status_code == 201, deposit.text
            deposits[bidder.user_id] = minor(deposit.json()["amount"])
            placed = await self.client.post(f"/api/lots/{lot_id}/bids", json={"amount": amount}, headers=bidder.headers)
            assert placed.status_code == 201, placed.text
        result = await award_lot(self.db, lot_id, at=now)
        assert result is not None
        assert result.order_id is not None
        ranked = sorted(((bidder, minor(amount)) for bidder, amount in bidders), key=lambda b: -b[1])
        return Made(result.order_id, lot_id, deposit_posted=deposits[ranked[0][0].user_id], bids=ranked)

    async def quote(self, buyer: Actor, now: datetime, *, sample: bool) -> Made:
        """The buyer asks for a quote (with a paid sample of 12 units at 10.45 when `sample`), the seller quotes
        29000.00, the buyer accepts: the order's amount is the quote less the sample's fee."""
        lot_id = await live_lot(self.db, self.seller, sale_mode="fixed_price", price_minor=3_000_000, published_at=now)
        deal = Deal(self.client, self.seller, buyer, lot_id)
        thread = await deal.open_rfq(buyer, **({"sample_units": 12} if sample else {}))
        fee = 0
        if sample:
            base = f"/api/rfqs/{thread['id']}/samples/{thread['samples'][0]['id']}"
            priced = await self.client.post(f"{base}/price", json={"unit_price": "10.45"}, headers=self.seller.headers)
            assert priced.status_code == 200, priced.text
            confirmed = await self.client.post(f"{base}/confirm", headers=buyer.headers)
            assert confirmed.status_code == 200, confirmed.text
            fee = minor(priced.json()["fee"])
        offer = await deal.offer(
            self.seller, thread["id"], "29000.00", valid_until=(now + timedelta(days=5)).isoformat()
        )
        accepted = await self.client.post(
            f"/api/rfqs/{thread['id']}/accept", json={"offer_id": offer["id"]}, headers=buyer.headers
        )
        assert accepted.status_code == 201, accepted.text
        order = accepted.json()
        assert minor(order["terms"]["sample_fee_credited"]) == fee
        assert minor(order["amount"]) == 2_900_000 - fee
        return Made(int(order["id"]), lot_id, sample_fee=fee)

    async def proposal(self, client_org: Actor, now: datetime, cost_minor: int) -> tuple[Any, int]:
        """The broker proposes one of the seller's fabric lots to its client at cost + 10 %; the client accepts.
        The API's answer to the accept (201 with the orders, or a refusal) and the lot."""
        desk = Desk(self.client, self.db, self.broker, client_org, self.seller)
        lot_id = await desk.lot(price_minor=cost_minor, published_at=now)
        request = await desk.request(deliver_by=(now + timedelta(days=30)).date().isoformat())
        client_price = f"{cost_minor * 11 // 1000}.00"  # cost + 10 %, whole yuan
        made = await desk.proposal(request["id"], [(lot_id, client_price)], valid_until=now + timedelta(days=5))
        return await self.client.post(f"/api/proposals/{made['id']}/accept", headers=client_org.headers), lot_id
