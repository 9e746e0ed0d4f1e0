"""A close's side effects, recorded with the award and delivered by any process, exactly once.

The award's transaction (`closing.award_lot`) writes one `close_outbox` row per recipient: each bidder's
won/lost notification, the seller's, and the lot's live `closed` event. Delivery (`deliver_closes`) is a
transaction of its own that claims undelivered rows (an UPDATE of `delivered_at` that only touches rows
still undelivered, so two deliverers never claim one row), inserts their notifications and publishes their
live events, then commits. The closer delivers its lot's rows at once; the `auctions.deliver-closes` job in
every process sweeps whatever is left: a closer that died between the award's commit and its delivery,
or a delivery that failed. A delivery that dies before its commit leaves its rows undelivered and its
notifications unwritten, so each notification is written exactly once; its live events may go out again
(at least once), which pages and clients take in their stride (they re-read the lot).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.models import Bid, CloseOutbox
from exchange.db.base import utcnow
from exchange.live.channels import lot_channel, org_channel
from exchange.lots.models import Lot
from exchange.notifications.models import Notification

__all__ = ["DELIVER_BATCH", "deliver_closes", "record_close_outbox"]

DELIVER_BATCH = 500
"""Rows one delivery claims at most (the job comes back for the rest)."""

PublishMany = Callable[[Sequence[tuple[str, str, dict[str, Any]]]], Awaitable[None]]
"""`Live.publish_many`: several (channel, event, data) at once; never raises."""


async def record_close_outbox(session: AsyncSession, lot_id: int, outcome: str, winner_org_id: int | None) -> None:
    """In the award's transaction: what the close must tell, one row per recipient."""
    title, seller_org_id = (await session.execute(select(Lot.title, Lot.seller_org_id).where(Lot.id == lot_id))).one()
    bidders = (
        await session.scalars(
            select(Bid.bidder_org_id)
            .where(Bid.lot_id == lot_id, Bid.amount_minor.is_not(None))
            .order_by(Bid.bidder_org_id)
        )
    ).all()
    link = f"/lots/{lot_id}/sale"
    rows: list[dict[str, Any]] = [
        {"recipient": "lot", "org_id": None, "kind": "closed", "title": "", "body": "", "link": ""}
    ]
    for org_id in bidders:
        won = org_id == winner_org_id
        rows.append(
            {
                "recipient": f"org:{org_id}",
                "org_id": org_id,
                "kind": "bid_won" if won else "bid_lost",
                "title": (f"You won: {title}" if won else f"Not won: {title}")[:200],
                "body": "Your bid won the lot; an order is waiting for payment."
                if won
                else "The lot has closed and your bid did not win. The opening report lists every bid.",
                "link": link,
            }
        )
    rows.append(
        {
            "recipient": f"org:{seller_org_id}",
            "org_id": seller_org_id,
            "kind": "lot_closed",
            "title": (f"Awarded: {title}" if outcome == "awarded" else f"Closed unsold: {title}")[:200],
            "body": "The sealed bids were opened; see the opening report."
            if outcome == "awarded"
            else "No bid reached your reserve price.",
            "link": link,
        }
    )
    now = utcnow()
    await session.execute(
        insert(CloseOutbox), [{**row, "lot_id": lot_id, "outcome": outcome, "created_at": now} for row in rows]
    )


async def deliver_closes(
    session_maker: async_sessionmaker[AsyncSession],
    publish_many: PublishMany,
    *,
    lot_ids: Sequence[int] | None = None,
    limit: int = DELIVER_BATCH,
) -> int:
    """Deliver undelivered close rows (of `lot_ids`, or any): notifications written, live events published,
    rows marked delivered, all before one commit. Returns how many rows this call delivered."""
    now = utcnow()
    async with session_maker() as session, session.begin():
        # A read first: on SQLite the UPDATE below would take the database's write lock even with nothing to do.
        waiting = select(CloseOutbox.id).where(CloseOutbox.delivered_at.is_(None)).limit(1)
        if lot_ids is not None:
            waiting = waiting.where(CloseOutbox.lot_id.in_(list(lot_ids)))
        if await session.scalar(waiting) is None:
            return 0
        pending = select(CloseOutbox.id).where(CloseOutbox.delivered_at.is_(None))
        if lot_ids is not None:
            pending = pending.where(CloseOutbox.lot_id.in_(list(lot_ids)))
        pending = pending.order_by(CloseOutbox.id).limit(limit)
        if session.get_bind().dialect.name == "postgresql":  # other deliverers take other rows meanwhile
            pending = pending.with_for_update(skip_locked=True)
        # The claim: only rows still undelivered when this UPDATE runs (it waits for a concurrent claim of the
        # same row and then finds it delivered), so one deliverer gets each row.
        claimed = (
            await session.execute(
                update(CloseOutbox)
                .where(CloseOutbox.id.in_(pending.scalar_subquery()), CloseOutbox.delivered_at.is_(None))
                .values(delivered_at=now)
                .returning(
                    CloseOutbox.lot_id,
                    CloseOutbox.org_id,
                    CloseOutbox.kind,
                    CloseOutbox.outcome,
                    CloseOutbox.title,
                    CloseOutbox.body,
                    CloseOutbox.link,
                )
                .execution_options(synchronize_session=False)
            )
        ).all()
        if not claimed:
            return 0
        notices = [
            {"org_id": org_id, "kind": kind, "title": title, "body": body, "link": link, "created_at": now}
            for _lot, org_id, kind, _outcome, title, body, link in claimed
            if org_id is not None
        ]
        if notices:
            await session.execute(insert(Notification), notices)
        events = [
            (lot_channel(lot_id), "closed", {"status": outcome})
            if org_id is None
            else (org_channel(org_id), "notification", {"kind": kind})
            for lot_id, org_id, kind, outcome, *_text in claimed
        ]
        await publish_many(events)  # before the commit: a delivery that dies here is done again, whole
    return len(claimed)
