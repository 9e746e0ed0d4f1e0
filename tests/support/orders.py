"""Test helpers for orders after the sale: an order made by a purchase, and the API steps on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.app import DEADLINE_HANDLERS
from exchange.orders import deadlines
from tests.conftest import Actor, OrgFactory
from tests.support.lots import live_lot

__all__ = ["Sale", "fire_deadlines", "new_sale"]


@dataclass
class Sale:
    client: AsyncTestClient[Litestar]
    seller: Actor
    buyer: Actor
    order_id: int

    async def get(self, actor: Actor | None = None) -> dict[str, Any]:
        answer = await self.client.get(f"/api/orders/{self.order_id}", headers=(actor or self.buyer).headers)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    async def act(self, action: str, actor: Actor, body: dict[str, Any] | None = None) -> Any:
        return await self.client.post(f"/api/orders/{self.order_id}/{action}", json=body, headers=actor.headers)

    async def start_payment(self) -> dict[str, Any]:
        started = await self.act("pay", self.buyer)
        assert started.status_code == 200, started.text
        return dict(started.json())

    async def callback(self, instructions: dict[str, Any], **changes: Any) -> Any:
        body = {**instructions["body"], **changes}
        return await self.client.post(instructions["path"], json=body, headers=instructions["headers"])

    async def pay(self) -> dict[str, Any]:
        started = await self.start_payment()
        confirmed = await self.callback(started["instructions"])
        assert confirmed.status_code == 200, confirmed.text
        return dict(confirmed.json())

    async def ship(self) -> dict[str, Any]:
        shipped = await self.act("ship", self.seller, SHIPMENT)
        assert shipped.status_code == 200, shipped.text
        return dict(shipped.json())


SHIPMENT = {"carrier": "SF Express", "tracking_number": "SF1234567890", "packages": 12, "weight": "412 kg"}


async def new_sale(
    client: AsyncTestClient[Litestar],
    db: async_sessionmaker[AsyncSession],
    make_org: OrgFactory,
    *,
    price_minor: int = 4_000_000,
    buyer: Actor | None = None,
    published_at: datetime | None = None,
) -> Sale:
    """A fixed-price lot bought through the API: an order awaiting payment."""
    seller = await make_org("seller")
    buyer = buyer or await make_org("buyer")
    lot_id = await live_lot(db, seller, sale_mode="fixed_price", price_minor=price_minor, published_at=published_at)
    bought = await client.post(f"/api/lots/{lot_id}/purchase", headers=buyer.headers)
    assert bought.status_code == 201, bought.text
    return Sale(client, seller, buyer, int(bought.json()["id"]))


async def fire_deadlines(db: async_sessionmaker[AsyncSession], now: datetime) -> list[tuple[int, str]]:
    """What the deadline job does at `now`."""
    return await deadlines.fire_due(db, DEADLINE_HANDLERS, now)


async def balances(db: async_sessionmaker[AsyncSession], **owner: int) -> dict[str, int]:
    """{purpose: posted balance} of the ledger accounts of one owner (`org_id=` or `order_id=`)."""
    from sqlalchemy import select

    from exchange.ledger.models import LedgerAccount

    async with db() as session:
        rows = await session.execute(
            select(LedgerAccount.purpose, LedgerAccount.posted).where(
                *(getattr(LedgerAccount, name) == value for name, value in owner.items())
            )
        )
    return {purpose: int(posted) for purpose, posted in rows.all()}


async def assert_ledger_balances(db: async_sessionmaker[AsyncSession]) -> None:
    """Money is never created or lost: `exchange ledger verify` finds nothing (every entry balances, balances
    replay, accounts sum to zero per currency, escrow of every finished order is zero)."""
    from exchange.ledger.verify import verify_ledger

    async with db() as session:
        report = await verify_ledger(session)
    assert report.violations == []
