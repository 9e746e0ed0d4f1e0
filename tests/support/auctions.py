"""Helpers for bid-engine tests: a lot that closes shortly, and waiting for its opening report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import Actor
from tests.support.lots import live_lot
from tests.support.waiting import eventually

__all__ = ["CLOSE_AFTER", "closing_lot", "opening_report_when_closed"]

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
