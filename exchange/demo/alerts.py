"""Demo alerts: a buyer whose saved searches fire (an instant alert, and a daily one for the digest) on a lot
that goes live after they were saved, and a seller's lot with slow-sale advice."""

from __future__ import annotations

from datetime import timedelta

import msgspec
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.services import load_principal
from exchange.alerts import schemas
from exchange.alerts.models import SlowSaleCheck
from exchange.alerts.services.fanout import AlertIndex, drain_in_session
from exchange.alerts.services.saved_searches import create_saved_search
from exchange.alerts.services.slow_sale import advise_lot
from exchange.db.base import utcnow
from exchange.demo.context import DemoContext
from exchange.lots import services as lot_services
from exchange.lots.models import Lot
from exchange.lots.schemas import LotCreate

__all__ = ["DEMO_SEARCHES", "load_alerts"]

DEMO_SEARCHES = (
    ("Wide woven fabric, 140 cm and up", "category=textiles/fabric&spec.width.gte=140cm", "instant"),
    ("Textiles, grade A or B", "category=textiles&grade=A,B", "daily"),
    ("Power banks of 10 Ah and more", "category=electronics/power-bank&spec.capacity.gte=10000mAh", "instant"),
)
NEW_LOT = {
    "title": "1800 m cotton canvas, 160 cm, natural",
    "description": "Tote-bag canvas left from a cancelled retail order; 18 rolls of 100 m.",
    "category": "textiles/fabric",
    "specs": {"fibre": "cotton", "construction": "woven", "width": "160 cm", "weight": "280 g/m2", "colour": "natural"},
    "quantity": {"value": "1800", "unit": "m"},
    "grade": "A",
    "source": "overrun",
    "reference_price": "14.00",
    "location": {"city": "Suzhou", "region": "Jiangsu", "country": "CN"},
    "sale": {"mode": "fixed_price", "price": "4680.00", "rfq_enabled": True},
}


async def load_alerts(session: AsyncSession, context: DemoContext) -> None:
    now = utcnow()
    alerts = AlertIndex()
    await drain_in_session(session, alerts, now)  # the catalogue's lots went live before any search was saved
    buyer = await load_principal(session, context.users["buyer1"])
    seller = await load_principal(session, context.users["seller1"])
    if buyer is None or seller is None:
        raise RuntimeError("demo organisations must be loaded before demo alerts")
    for name, query, frequency in DEMO_SEARCHES:
        data = schemas.SavedSearchIn(name=name, query=query, frequency=frequency)  # type: ignore[arg-type]
        await create_saved_search(session, buyer, data, now=now)
    lot = await lot_services.create_lot(session, seller, msgspec.convert(NEW_LOT, LotCreate))
    await lot_services.publish_lot(session, seller, lot.id, now=now)
    fired = await drain_in_session(session, alerts, now)
    alerted = sum(len(fan_out.alerted) for fan_out in fired)

    # A seller's fixed-price lot that nobody has asked for, past half its window: advised now.
    candidates = await session.scalars(
        select(Lot.id)
        .where(Lot.seller_org_id == context.orgs["seller1"], Lot.status == "live", Lot.sale_mode == "fixed_price")
        .where(Lot.id != lot.id)
        .order_by(Lot.id)
    )
    slow = None
    for candidate in list(candidates):
        await session.execute(
            update(SlowSaleCheck).where(SlowSaleCheck.lot_id == candidate).values(due_at=now - timedelta(seconds=1))
        )
        if await advise_lot(session, candidate, now) is not None:
            slow = candidate
            break
        await session.execute(  # somebody asked for it: leave it to the clock
            update(SlowSaleCheck).where(SlowSaleCheck.lot_id == candidate).values(fired_at=None)
        )
    context.report.append(
        f"alerts  {len(DEMO_SEARCHES)} saved searches of buyer1, {alerted} alerts on a new lot"
        + (f", slow-sale advice on lot {slow}" if slow else "")
    )
