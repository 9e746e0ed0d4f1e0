"""Demo negotiations: a counter-offer waiting for the buyer, a deal closed with a credited sample, and a
wanted request with two quotes to compare."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

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
from exchange.rfq import schemas, services

__all__ = ["DEMO_RFQ_LOTS", "load_negotiations"]

_PLACE = {"city": "Suzhou", "region": "Jiangsu", "country": "CN"}
DEMO_RFQ_LOTS: dict[str, tuple[str, dict[str, Any]]] = {
    # handle: (seller handle, lot body for the catalogue), used when that seller has no live lot of the category
    "steel": (
        "seller3",
        {
            "title": "38 t cold-rolled steel sheet, 1.2 mm, DC01",
            "category": "metals/sheet",
            "specs": {
                "form": "sheet",
                "material": "carbon steel",
                "alloy": "DC01",
                "thickness": "1.2 mm",
                "width": "1250 mm",
            },
            "quantity": {"value": 38, "unit": "t"},
            "grade": "B",
            "defects": "Light edge rust on two coils' outer wraps.",
            "source": "slow_moving",
            "location": {"city": "Foshan", "region": "Guangdong", "country": "CN"},
            "sale": {"mode": "fixed_price", "price": "61000.00", "rfq_enabled": True},
        },
    ),
    "poplin": (
        "seller1",
        {
            "title": "2000 m polycotton poplin, 145 cm, white",
            "category": "textiles/fabric",
            "specs": {"fibre": "polycotton", "width": "145 cm", "weight": "120 g/m2", "colour": "white"},
            "quantity": {"value": 2000, "unit": "m"},
            "grade": "A",
            "source": "season_end",
            "location": _PLACE,
            "sale": {"mode": "fixed_price", "price": "17000.00", "rfq_enabled": True},
        },
    ),
    "twill": (
        "seller1",
        {
            "title": "5000 m cotton twill, 150 cm, navy",
            "category": "textiles/fabric",
            "specs": {"fibre": "cotton", "width": "150 cm", "weight": "240 g/m2", "colour": "navy"},
            "quantity": {"value": 5000, "unit": "m"},
            "grade": "A",
            "source": "overrun",
            "location": _PLACE,
            "sale": {"mode": "fixed_price", "price": "40000.00", "rfq_enabled": True},
        },
    ),
    "canvas": (
        "seller1",
        {
            "title": "3000 m cotton canvas, 160 cm, khaki",
            "category": "textiles/fabric",
            "specs": {"fibre": "cotton", "width": "160 cm", "weight": "320 g/m2", "colour": "khaki"},
            "quantity": {"value": 3000, "unit": "m"},
            "grade": "B",
            "defects": "Shade variation between rolls 4 and 9.",
            "source": "overrun",
            "location": _PLACE,
            "sale": {"mode": "fixed_price", "price": "28500.00", "rfq_enabled": True},
        },
    ),
}


async def _principal(session: AsyncSession, context: DemoContext, handle: str) -> Principal:
    principal = await load_principal(session, context.users[handle])
    assert principal is not None
    return principal


async def _live_lot(session: AsyncSession, context: DemoContext, handle: str, used: set[int]) -> int:
    """A live lot of the right seller and category (another step's, if there is one), else one made here."""
    seller_handle, body = DEMO_RFQ_LOTS[handle]
    seller = await _principal(session, context, seller_handle)
    existing = await session.scalar(
        select(Lot.id)
        .where(
            Lot.seller_org_id == seller.org_id,
            Lot.category == body["category"],
            Lot.status == "live",
            Lot.rfq_enabled.is_(True),
            Lot.sale_mode == "fixed_price",
            Lot.id.not_in(used or {0}),
        )
        .order_by(Lot.id)
    )
    if existing is None:
        lot = await lot_services.create_lot(session, seller, msgspec.convert(body, LotCreate))
        await lot_services.publish_lot(session, seller, lot.id)
        existing = lot.id
    used.add(existing)
    return existing


async def load_negotiations(session: AsyncSession, context: DemoContext) -> None:
    used: set[int] = set()
    soon = utcnow().date()
    buyer1, buyer2, buyer3 = [await _principal(session, context, h) for h in ("buyer1", "buyer2", "buyer3")]
    seller1, seller3 = [await _principal(session, context, h) for h in ("seller1", "seller3")]

    # 1. Auto-parts buyer asks for steel at 52 000 on net 45; the mill counters at 58 000 on net 30.
    steel = await _live_lot(session, context, "steel", used)
    opened = await services.open_rfq(
        session,
        buyer1,
        steel,
        schemas.RfqOpen(
            price="52000.00",
            delivery_by=soon + timedelta(days=21),
            delivery_region="Shanghai, Jiading",
            payment_terms="net45",
            packaging="Banded on wooden pallets, max 3 t per pallet",
            message="We can take all 38 t if the edge rust is limited to the outer wraps.",
        ),
    )
    await services.make_offer(
        session,
        seller3,
        opened.id,
        schemas.OfferCreate(
            price="58000.00",
            delivery_by=soon + timedelta(days=18),
            payment_terms="net30",
            packaging="Banded on wooden pallets, max 3 t per pallet",
            message="Rust is on the outer wraps only; we re-oil before shipping. Net 30 is our limit.",
        ),
    )
    await services.post_message(
        session,
        seller3,
        opened.id,
        body="Inspection video of the two coils with edge rust.",
        links=[
            schemas.LinkIn(
                url="https://video.example/foshan-metal/coil-inspection", name="Coil inspection", kind="video"
            )
        ],
    )

    # 2. Welfare buyer samples the poplin, then buys the lot; the sample fee comes off the order.
    poplin = await _live_lot(session, context, "poplin", used)
    sampled = await services.open_rfq(
        session,
        buyer3,
        poplin,
        schemas.RfqOpen(price="15000.00", payment_terms="prepay", sample_units=10, message="Sample first, please."),
    )
    sample = (await services.get_thread_for(session, buyer3, sampled.id)).samples[0]
    await services.move_sample(session, seller1, sampled.id, sample.id, "price", unit_price="15.00")
    await services.move_sample(session, buyer3, sampled.id, sample.id, "confirm")
    await services.move_sample(session, seller1, sampled.id, sample.id, "ship")
    quote = await services.make_offer(
        session, seller1, sampled.id, schemas.OfferCreate(price="15800.00", payment_terms="prepay")
    )
    accepted = await services.accept_offer(session, buyer3, sampled.id, quote.id)

    # 3. The garment group posts a wanted request; the textile mill answers with two lots to compare.
    wanted = await services.create_wanted(
        session,
        buyer2,
        schemas.WantedCreate(
            title="Cotton fabric for workwear trousers, at least 140 cm wide",
            category="textiles/fabric",
            quantity=schemas.QuantityIn(value="4000", unit="m"),
            deadline=soon + timedelta(days=30),
            specs=[
                schemas.SpecConstraint(key="fibre", op="eq", value="cotton"),
                schemas.SpecConstraint(key="width", op="gte", value=140.0, unit="cm"),
                schemas.SpecConstraint(key="weight", op="gte", value=220.0, unit="g/m**2"),
            ],
            budget="36000.00",
            delivery_region="Zhejiang, Hangzhou",
            notes="Dark colours preferred. Delivery to our Xiaoshan plant.",
        ),
    )
    answers: list[tuple[str, str, Literal["prepay", "net30", "net45"], int]] = [
        ("twill", "34000.00", "net30", 20),
        ("canvas", "26500.00", "prepay", 35),
    ]
    for handle, price, terms, days in answers:
        lot_id = await _live_lot(session, context, handle, used)
        await services.answer_wanted(
            session,
            seller1,
            wanted.id,
            schemas.WantedAnswer(
                lot_id=lot_id, price=price, payment_terms=terms, delivery_by=soon + timedelta(days=days)
            ),
        )
    context.report.append(
        f"rfq     thread {opened.id} awaits {buyer1.org_name}'s answer; order #{accepted.order.id} came from a quote "
        f"with a credited sample; wanted request {wanted.id} has two quotes to compare"
    )
