"""What a sealed-bid close writes to the audit log, in the close's transaction: the lot's close when it
ends unsold (an award is recorded by `orders.services.create_order_for_lot`), and every bid as it stood
at the close, with its final amount and rank (object "bid", named by its lot; the bidder is in `after`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.auctions.models import Bid
from exchange.auctions.rules import ranking_order_by
from exchange.audit import record
from exchange.audit.actors import CLOCK
from exchange.money import format_minor

__all__ = ["record_close"]


async def record_close(
    session: AsyncSession, lot_id: int, outcome: str, winner_org_id: int | None, *, at: datetime
) -> None:
    if outcome == "unsold":
        await record(
            session,
            actor=CLOCK,
            object_type="lot",
            object_id=lot_id,
            action="close",
            before={"status": "live"},
            after={"status": "unsold"},
            at=at,
        )
    bids = (
        await session.execute(
            select(Bid.bidder_org_id, Bid.amount_minor, Bid.currency, Bid.revision, Bid.receipt)
            .where(Bid.lot_id == lot_id, Bid.amount_minor.is_not(None))
            .order_by(*ranking_order_by(Bid))
        )
    ).all()
    for rank, (bidder_org_id, amount_minor, currency, revision, receipt) in enumerate(bids, start=1):
        await record(
            session,
            actor=CLOCK,
            object_type="bid",
            object_id=lot_id,
            action="close",
            before=None,
            after={
                "lot_id": lot_id,
                "bidder_org_id": bidder_org_id,
                "amount": format_minor(amount_minor, currency),
                "currency": currency,
                "rank": rank,
                "revision": revision,
                "receipt": receipt,
                "won": bidder_org_id == winner_org_id,
            },
            at=at,
        )
