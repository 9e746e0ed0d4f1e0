"""Demo sales for the bid engine: open sealed-bid lots closing over the next days, fixed-price lots.

For now the lots are inserted with the ORM (the catalogue's own demo step will own lot creation);
a few sealed bids are written straight to SQL, the engine's system of record, with real receipts:
the engine loads them into Redis the first time the lot is used.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.auctions.models import Bid, BidRevision
from exchange.auctions.receipts import commitment, parse_micros
from exchange.demo.loader import DEMO_STEPS, DemoContext
from exchange.lots.models import Lot, LotInvite
from exchange.money import format_minor

__all__ = ["DEMO_SALES"]

DAY = timedelta(days=1)

# seller handle, closes in (sealed) or None (fixed price), lot fields
DEMO_SALES: list[tuple[str, timedelta | None, dict[str, Any]]] = [
    ("seller1", 2 * DAY + timedelta(hours=3), {
        "title": "12 000 m polyester-cotton twill, navy, 150 cm",
        "category": "textiles/fabric", "specs": {"fibre": "polyester-cotton 65/35", "width": 150.0, "colour": "navy"},
        "quantity_value": Decimal(12000), "quantity_unit": "m", "grade": "A", "source": "overrun",
        "reference_price_minor": 4_20, "min_bid_minor": 30_000_00, "reserve_price_minor": 42_000_00,
        "location_city": "Suzhou", "location_region": "Jiangsu",
        "description": "Overrun of an export order for workwear; rolls of 100 m, shade-matched, in bonded store.",
    }),
    ("seller2", 3 * DAY + timedelta(hours=6), {
        "title": "3 200 power banks 10 000 mAh, 3C certified",
        "category": "electronics/power-bank", "specs": {"capacity": 10000, "ports": "USB-C + USB-A"},
        "quantity_value": Decimal(3200), "quantity_unit": "pcs", "grade": "A", "source": "overrun",
        "certifications": ["3C"], "reference_price_minor": 45_00, "min_bid_minor": 60_000_00,
        "second_price": True, "deposit_percent": 5, "location_city": "Ningbo", "location_region": "Zhejiang",
        "description": "Retail-boxed, 2025 production. Second-price sealed bid; bidders hold a 5% deposit.",
    }),
    ("seller3", 5 * DAY, {
        "title": "18 t cold-rolled steel sheet offcuts, 1.0-2.0 mm",
        "category": "metals/sheet", "specs": {"alloy": "DC01", "thickness": 1.5},
        "quantity_value": Decimal(18), "quantity_unit": "t", "grade": "B", "source": "slow_moving",
        "defects": "Edge rust on about 5% of sheets; otherwise flat and clean.",
        "reference_price_minor": 5_200_00, "reserve_price_minor": 70_000_00,
        "location_city": "Foshan", "location_region": "Guangdong",
        "description": "Offcuts from stamping lines, banded on pallets of about 1 t.",
    }),
    ("seller1", DAY + timedelta(hours=1), {
        "title": "Season-end knitwear, 4 800 pieces (private sale)",
        "category": "textiles/fabric", "specs": {"fibre": "acrylic-wool blend"},
        "quantity_value": Decimal(4800), "quantity_unit": "pcs", "grade": "B", "source": "season_end",
        "defects": "Some pieces lack hang tags.", "reference_price_minor": 38_00, "min_bid_minor": 40_000_00,
        "visibility": "private", "location_city": "Suzhou", "location_region": "Jiangsu",
        "description": "Autumn range, mixed sizes. Offered to invited buyers only.",
    }),
    ("seller2", None, {
        "title": "1 500 USB-C cables, 1 m, braided",
        "category": "electronics/power-bank", "specs": {"length": 1.0},
        "quantity_value": Decimal(1500), "quantity_unit": "pcs", "grade": "A", "source": "returns",
        "reference_price_minor": 12_00, "price_minor": 9_750_00,
        "location_city": "Ningbo", "location_region": "Zhejiang",
        "description": "Unopened retail returns, tested in batches.",
    }),
    ("seller3", None, {
        "title": "2.4 t aluminium extrusion remnants",
        "category": "metals/sheet", "specs": {"alloy": "6063"},
        "quantity_value": Decimal("2.4"), "quantity_unit": "t", "grade": "C", "source": "other",
        "defects": "Mixed lengths, surface scratches.", "reference_price_minor": 19_000_00, "price_minor": 38_400_00,
        "location_city": "Foshan", "location_region": "Guangdong",
        "description": "Profiles from discontinued window systems, 0.5-3 m.",
    }),
    ("seller1", None, {
        "title": "2 000 m cotton canvas, natural, 180 cm",
        "category": "textiles/fabric", "specs": {"fibre": "cotton", "width": 180.0},
        "quantity_value": Decimal(2000), "quantity_unit": "m", "grade": "A", "source": "slow_moving",
        "reference_price_minor": 11_50, "price_minor": 16_800_00,
        "location_city": "Suzhou", "location_region": "Jiangsu",
        "description": "Heavy 12 oz canvas, 50 m rolls.",
    }),
]  # fmt: skip

# (index in DEMO_SALES, buyer handle, amount in minor units, hours before now)
DEMO_BIDS = [(0, "buyer1", 35_500_00, 20), (0, "buyer3", 38_200_00, 6), (2, "buyer2", 74_000_00, 3)]


async def _load_sales(session: AsyncSession, context: DemoContext) -> None:
    now = datetime.now(UTC)
    lots: list[Lot] = []
    for seller, closes_in, fields in DEMO_SALES:
        sealed = closes_in is not None
        lot = Lot(
            seller_org_id=context.orgs[seller],
            sale_mode="sealed_bid" if sealed else "fixed_price",
            closes_at=now + closes_in if closes_in is not None else None,
            status="live",
            published_at=now - timedelta(hours=30),
            ends_at=now + timedelta(days=14),
            currency="CNY",
            **fields,
        )
        session.add(lot)
        lots.append(lot)
    await session.flush()
    private = lots[3]
    session.add(LotInvite(lot_id=private.id, org_id=context.orgs["buyer2"]))
    for seq, (index, buyer, amount, hours_ago) in enumerate(DEMO_BIDS, start=1):
        lot, org_id = lots[index], context.orgs[buyer]
        placed_us = parse_micros(now - timedelta(hours=hours_ago))
        nonce = secrets.token_hex(16)
        receipt = commitment(
            lot_id=lot.id,
            bidder_org_id=org_id,
            amount=format_minor(amount, "CNY") or "0",
            currency="CNY",
            revision=1,
            placed_at_us=placed_us,
            nonce=nonce,
        )
        common = {"lot_id": lot.id, "bidder_org_id": org_id, "revision": 1, "amount_minor": amount, "currency": "CNY"}
        fixed = {"placed_at_us": placed_us, "rank_seq": seq, "receipt": receipt, "nonce": nonce}
        session.add(BidRevision(**common, **fixed, kind="bid", seq=seq))
        session.add(Bid(**common, **fixed))
    sealed_count = sum(1 for _seller, closes_in, _fields in DEMO_SALES if closes_in is not None)
    context.report.append(
        f"sales   {sealed_count} sealed-bid lots closing over the next days (lot {lots[0].id} has bids), "
        f"{len(DEMO_SALES) - sealed_count} fixed-price lots: see /lots/<id>/sale"
    )


DEMO_STEPS.append(("sealed-bid and fixed-price sales", _load_sales))
