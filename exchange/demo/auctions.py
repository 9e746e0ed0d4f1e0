"""Demo sealed bids on the catalogue's demo lots (which include sealed-bid lots closing over the next
days and fixed-price lots).

The bids are written straight to SQL, the engine's system of record, with real receipts; the engine
loads them into Redis the first time the lot is used.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.auctions.models import Bid, BidRevision
from exchange.auctions.receipts import commitment, parse_micros
from exchange.demo.context import DemoContext
from exchange.lots.models import Lot
from exchange.money import format_minor

__all__ = ["DEMO_BIDS", "load_bids"]

# (which open public sealed-bid lot, soonest closing first; buyer handle; share of the reference value in %;
#  hours before now)
DEMO_BIDS = [(0, "buyer1", 80, 20), (0, "buyer3", 86, 6), (1, "buyer2", 95, 3), (2, "buyer1", 70, 1)]


def _amount(lot: Lot, percent: int) -> int:
    reference = (lot.reference_price_minor or 100_00) * int(lot.quantity_value)
    floor = lot.min_bid_minor or 0
    return max(floor, reference * percent // 100 // 100 * 100)


async def load_bids(session: AsyncSession, context: DemoContext) -> None:
    now = datetime.now(UTC)
    lots = list(
        (
            await session.scalars(
                select(Lot)
                .where(Lot.status == "live", Lot.sale_mode == "sealed_bid", Lot.visibility == "public")
                .order_by(Lot.closes_at, Lot.id)
                .limit(3)
            )
        ).all()
    )
    placed = 0
    for seq, (index, buyer, percent, hours_ago) in enumerate(DEMO_BIDS, start=1):
        if index >= len(lots):
            continue
        lot, org_id = lots[index], context.orgs[buyer]
        amount = _amount(lot, percent)
        placed_us = parse_micros(now - timedelta(hours=hours_ago))
        nonce = secrets.token_hex(16)
        receipt = commitment(
            lot_id=lot.id,
            bidder_org_id=org_id,
            amount=format_minor(amount, lot.currency) or "0",
            currency=lot.currency,
            revision=1,
            placed_at_us=placed_us,
            nonce=nonce,
        )
        common = {
            "lot_id": lot.id,
            "bidder_org_id": org_id,
            "revision": 1,
            "amount_minor": amount,
            "currency": lot.currency,
        }
        fixed = {"placed_at_us": placed_us, "rank_seq": seq, "receipt": receipt, "nonce": nonce}
        session.add(BidRevision(**common, **fixed, kind="bid", seq=seq))
        session.add(Bid(**common, **fixed))
        placed += 1
    if lots:
        context.report.append(f"bids    {placed} sealed bids on lots {', '.join(str(lot.id) for lot in lots)}")
