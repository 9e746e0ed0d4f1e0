"""Test-only: put a live lot straight into the database.

For capabilities built beside the catalogue (bid engine, RFQ) before its services landed. Prefer
the catalogue's API or services once they exist.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.lots.models import Lot, LotInvite

__all__ = ["insert_live_lot"]


async def insert_live_lot(
    db: async_sessionmaker[AsyncSession], seller_org_id: int, *, invited_org_ids: tuple[int, ...] = (), **fields: Any
) -> int:
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "title": "5000 m cotton twill, 150 cm wide",
        "description": "Overrun from an export order.",
        "category": "textiles/fabric",
        "specs": {"fibre": "cotton", "width": 150.0},
        "quantity_value": Decimal("5000"),
        "quantity_unit": "m",
        "grade": "A",
        "sale_mode": "sealed_bid",
        "closes_at": now + timedelta(days=3),
        "status": "live",
        "published_at": now,
        "ends_at": now + timedelta(days=14),
        "visibility": "public",
        "currency": "CNY",
        **fields,
    }
    async with db() as session, session.begin():
        lot = Lot(seller_org_id=seller_org_id, **values)
        session.add(lot)
        await session.flush()
        for org_id in invited_org_ids:
            session.add(LotInvite(lot_id=lot.id, org_id=org_id))
        return lot.id
