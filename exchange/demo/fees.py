"""Demo fee schedules: a tiered platform default and a lower rate for textiles (before any order is made)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.db.base import utcnow
from exchange.demo.context import DemoContext
from exchange.fees import services
from exchange.fees.rules import FeeSchedule, Tier

__all__ = ["DEMO_SCHEDULES", "load_fee_schedules"]

DEMO_SCHEDULES: dict[str, FeeSchedule] = {
    "*": FeeSchedule(
        tiers=(Tier(10_000_000, Decimal(5)), Tier(None, Decimal(3))), fixed_fee_minor=5_000, broker_percent=Decimal(2)
    ),
    "textiles": FeeSchedule(
        tiers=(Tier(10_000_000, Decimal(4)), Tier(None, Decimal("2.5"))),
        fixed_fee_minor=5_000,
        broker_percent=Decimal(2),
    ),
}


async def load_fee_schedules(session: AsyncSession, context: DemoContext) -> None:
    now = utcnow()
    for category, schedule in DEMO_SCHEDULES.items():
        await services.create_version(
            session, category=category, schedule=schedule, effective_from=now, at=now, created_by=None
        )
    context.report.append("fee schedules: platform default 5 % to 100000.00 then 3 %, textiles 4 % then 2.5 %")
