"""Test-only: a delivered order, made the way its parties make one (sold, paid, shipped, delivered through the API)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.ledger import accounts
from exchange.ledger import services as ledger
from exchange.ledger.models import LedgerEntry
from exchange.orders import escrow as escrow_rules
from exchange.orders.models import Order
from tests.conftest import Actor, OrgFactory
from tests.support.lots import live_lot

__all__ = ["DeliveredOrder", "deliver", "delivered_order", "money_after"]


@dataclass
class DeliveredOrder:
    client: AsyncTestClient[Litestar]
    buyer: Actor
    seller: Actor
    order_id: int
    lot_id: int

    async def inspect(self, **body: Any) -> Any:
        return await self.client.post(f"/api/orders/{self.order_id}/inspection", json=body, headers=self.buyer.headers)

    async def dispute(self, **body: Any) -> Any:
        return await self.client.post(f"/api/orders/{self.order_id}/disputes", json=body, headers=self.buyer.headers)

    async def order(self, who: Actor | None = None) -> dict[str, Any]:
        response = await self.client.get(f"/api/orders/{self.order_id}", headers=(who or self.buyer).headers)
        assert response.status_code == 200, response.text
        return dict(response.json())


async def deliver(client: AsyncTestClient[Litestar], seller: Actor, buyer: Actor, lot_id: int) -> int:
    """The buyer buys the live fixed-price lot, pays, the seller ships, the buyer confirms delivery: the order's id."""
    bought = await client.post(f"/api/lots/{lot_id}/purchase", headers=buyer.headers)
    assert bought.status_code == 201, bought.text
    order_id = int(bought.json()["id"])
    started = await client.post(f"/api/orders/{order_id}/pay", headers=buyer.headers)
    assert started.status_code in (200, 201), started.text
    how = started.json()["instructions"]
    confirmed = await client.request(how.get("method", "POST"), how["path"], json=how["body"], headers=how["headers"])
    assert confirmed.status_code in (200, 201), confirmed.text
    shipped = await client.post(
        f"/api/orders/{order_id}/ship",
        json={"carrier": "SF Express", "tracking_number": "SF1234567890", "packages": 4},
        headers=seller.headers,
    )
    assert shipped.status_code == 200, shipped.text
    delivered = await client.post(f"/api/orders/{order_id}/deliver", headers=buyer.headers)
    assert delivered.status_code == 200, delivered.text
    return order_id


async def delivered_order(
    client: AsyncTestClient[Litestar],
    db: async_sessionmaker[AsyncSession],
    make_org: OrgFactory,
    *,
    amount_minor: int = 1_000_000,
    **lot_terms: Any,
) -> DeliveredOrder:
    """A fixed-price lot bought by a new buyer from a new seller, paid, shipped and delivered (window open)."""
    seller, buyer = await make_org("seller"), await make_org("buyer")
    lot_id = await live_lot(db, seller, sale_mode="fixed_price", price_minor=amount_minor, **lot_terms)
    order_id = await deliver(client, seller, buyer, lot_id)
    return DeliveredOrder(client, buyer, seller, order_id, lot_id)


async def money_after(db: async_sessionmaker[AsyncSession], deal: DeliveredOrder) -> dict[str, int]:
    """Posted balances after the order finished: its escrow, the buyer's refunds payable, the seller's payable, the
    order's ledger entries, and what the seller is due: the rest after the refund, less the fees on it."""
    async with db() as session:
        currency = "CNY"
        escrow = await ledger.account_for(session, accounts.ESCROW, currency, order_id=deal.order_id)
        refunds = await ledger.account_for(session, accounts.REFUNDS_PAYABLE, currency, org_id=deal.buyer.org_id)
        seller = await ledger.account_for(session, accounts.SELLER_PAYABLE, currency, org_id=deal.seller.org_id)
        result = {
            "escrow": (await ledger.balance(session, escrow)).posted,
            "refund": (await ledger.balance(session, refunds)).posted,
            "seller": (await ledger.balance(session, seller)).posted,
        }
        entries = await session.scalar(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.order_id == deal.order_id)
        )
        result["entries"] = int(entries or 0)
        order = await session.get(Order, deal.order_id)
        assert order is not None
        result["seller_due"] = (
            await escrow_rules.fees_for(session, order, order.amount_minor - result["refund"])
        ).seller_net
        await session.rollback()
        return result
