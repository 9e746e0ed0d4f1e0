"""Helpers for bid-engine tests: a lot that closes shortly, and waiting for its opening report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.batch import BidWrite
from tests.conftest import Actor
from tests.support.lots import live_lot
from tests.support.waiting import eventually

__all__ = ["CLOSE_AFTER", "accepted_write", "closing_lot", "opening_report_when_closed"]

CLOSE_AFTER = timedelta(seconds=1.5)
"""Long enough to place a few bids through the test client, short enough to wait for."""


async def closing_lot(db: async_sessionmaker[AsyncSession], seller: Actor, **fields: Any) -> int:
    """A live sealed-bid lot that closes CLOSE_AFTER from now (the app's scheduler closes it)."""
    return await live_lot(db, seller, closes_at=datetime.now(UTC) + CLOSE_AFTER, **fields)


async def opening_report_when_closed(client: AsyncTestClient[Litestar], lot_id: int, viewer: Actor) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        answer = await client.get(f"/api/lots/{lot_id}/bids", headers=viewer.headers)
        return answer.json() if answer.status_code == 200 else None

    return await eventually(probe, within=CLOSE_AFTER.total_seconds() + 5)


def accepted_write(
    lot_id: int, bidder: int, revision: int, *, amount_minor: int | None = None, receipt: str | None = None
) -> BidWrite:
    """A bid as the engine hands it to the journal once Redis accepted it (for the journal's own tests)."""
    amount = amount_minor if amount_minor is not None else 1_000_00 * revision
    return BidWrite(
        lot_id=lot_id,
        bidder_org_id=bidder,
        revision=revision,
        kind="bid",
        amount_minor=amount,
        currency="CNY",
        placed_at_us=1_700_000_000_000_000 + revision,
        seq=revision,
        rank_seq=revision,
        nonce="n" * 32,
        receipt=receipt or f"receipt-{lot_id}-{bidder}-{revision}",
        idempotency_key=None,
        user_id=None,
        gen="g",
        packed=f"{revision}:{amount}:0:{revision}:nonce",
    )
