"""Demo brokers' desk: the broker's client (Shenzhen Welfare Supplies) wants 3000 vacuum flasks for staff
welfare; the desk shows matches and near misses, a bundle of two smaller lots, and a proposal sent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.accounts.services import load_principal
from exchange.db.base import utcnow
from exchange.demo.context import DemoContext
from exchange.lots import services as lot_services
from exchange.lots.models import Lot
from exchange.lots.schemas import LotCreate
from exchange.matching import proposals, requests, schemas

__all__ = ["DEMO_DESK_LOTS", "load_desk"]

_YIWU = {"city": "Yiwu", "region": "Zhejiang", "country": "CN"}
_FLASK = {"product_type": "vacuum flask", "material": "304 stainless steel", "gift_boxed": True}
DEMO_DESK_LOTS: tuple[tuple[str, dict[str, Any]], ...] = (
    # (seller handle, lot body): smaller flask lots that bundle, and one over the client's budget
    ("seller7", {"title": "2000 vacuum flasks 350 ml, gift boxed", "quantity": {"value": 2000, "unit": "pcs"},
                 "sale": {"mode": "fixed_price", "price": "52000.00"}}),
    ("seller5", {"title": "1200 vacuum flasks 450 ml, matte black", "quantity": {"value": 1200, "unit": "pcs"},
                 "sale": {"mode": "fixed_price", "price": "30600.00"},
                 "location": {"city": "Dongguan", "region": "Guangdong", "country": "CN"}}),
    ("seller7", {"title": "3200 vacuum flasks 600 ml, engraved lids", "quantity": {"value": 3200, "unit": "pcs"},
                 "sale": {"mode": "fixed_price", "price": "128000.00"}}),
)  # fmt: skip


async def _principal(session: AsyncSession, context: DemoContext, handle: str) -> Principal:
    principal = await load_principal(session, context.users[handle])
    assert principal is not None
    return principal


async def load_desk(session: AsyncSession, context: DemoContext) -> None:
    now = utcnow()
    for handle, body in DEMO_DESK_LOTS:
        seller = await _principal(session, context, handle)
        full = {"category": "gifts/household", "grade": "A", "source": "overrun", "specs": _FLASK, "location": _YIWU}
        lot = await lot_services.create_lot(session, seller, msgspec.convert({**full, **body}, LotCreate))
        await lot_services.publish_lot(session, seller, lot.id, now=now)
    broker = await _principal(session, context, "broker1")
    request = await requests.create_request(
        session,
        broker,
        schemas.ProcurementRequestIn(
            client_org_id=context.orgs["buyer3"],
            purpose="welfare",
            quantity=schemas.QuantityIn(value=3000, unit="pcs"),
            budget_per_unit=schemas.BudgetIn(min="20.00", max="35.00"),
            deliver_by=(now + timedelta(days=30)).date(),
            region="Zhejiang",
            categories=["gifts/household"],
            requirement_groups=[{"product_type": schemas.BoundIn(eq="vacuum flask")}],
            grades=["A", "B"],
            branding=["custom packaging"],
            max_sellers=2,
        ),
        now=now,
    )
    flasks = await session.scalar(
        select(Lot.id).where(Lot.title == "3000 vacuum flasks 500 ml, 304 steel, gift boxed", Lot.status == "live")
    )
    if flasks is not None:
        made = await proposals.create_proposal(
            session,
            broker,
            schemas.ProposalIn(
                request_id=request.id,
                lines=[schemas.ProposalLineIn(lot_id=flasks, client_price="82500.00")],
                valid_until=now + timedelta(days=7),
                note="Gift-boxed 304 steel flasks from Yiwu; custom sleeves can be added before delivery.",
            ),
            now=now,
        )
        await proposals.send_proposal(session, broker, made.id, now=now, runtime=None)
    context.report.append(f"desk    request #{request.id} (3000 flasks for buyer3), a bundle and a sent proposal")
