"""Closing sealed-bid lots: find the due ones, claim each once, award in SQL, tell everyone.

Safe with any number of server processes: `close.lua` lets one claimant through, and the award
itself only happens while the lot is still `live` in SQL (locked, then changed in one transaction).
The award's transaction also records what the close must tell (`close_outbox`), which the closer
delivers at once and any process's sweep delivers should the closer die first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.close_audit import record_close
from exchange.auctions.close_outbox import deliver_closes, record_close_outbox
from exchange.auctions.engine import BidEngine
from exchange.auctions.models import Bid, BidDeposit, LotClose, LotWatch
from exchange.auctions.receipts import parse_micros
from exchange.auctions.rules import RankedBid, decide_award, ranking_order_by
from exchange.auctions.writers import lock_live_lots
from exchange.db.base import utcnow
from exchange.live.channels import org_channel
from exchange.lots.models import Lot
from exchange.money import format_minor
from exchange.notifications.models import Notification
from exchange.orders import escrow
from exchange.orders.services import create_order_for_lot

__all__ = ["AwardResult", "award_lot", "close_due_lots", "close_lot", "remind_closing_soon"]

log = logging.getLogger("exchange.auctions")

Publish = Callable[[str, str, dict[str, Any]], None]
REMINDER_WINDOW = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class AwardResult:
    lot_id: int
    outcome: str  # awarded | unsold
    winner_org_id: int | None
    price_minor: int | None
    order_id: int | None


def _quiet(_channel: str, _event: str, _data: dict[str, Any]) -> None:
    return None


async def award_lot(
    session_maker: async_sessionmaker[AsyncSession],
    lot_id: int,
    *,
    at: datetime | None = None,
    payment_window: timedelta | None = None,
) -> AwardResult | None:
    """Open the sealed bids of a live lot and award it (or mark it unsold) in one transaction.

    None when the lot is no longer live (another closer won, or it was sold or withdrawn meanwhile).
    """
    async with session_maker() as session, session.begin():
        locked = await lock_live_lots(session, [lot_id], exclusive=True)
        lot = locked.get(lot_id)
        if lot is None:
            return None
        _id, _seller, currency, reserve_minor, second_price, min_bid_minor = lot
        top = (
            await session.execute(
                select(Bid.bidder_org_id, Bid.amount_minor, Bid.rank_seq, Bid.placed_at_us)
                .where(Bid.lot_id == lot_id, Bid.amount_minor.is_not(None))
                .order_by(*ranking_order_by(Bid))
                .limit(2)
            )
        ).all()
        count = await session.scalar(
            select(func.count()).select_from(Bid).where(Bid.lot_id == lot_id, Bid.amount_minor.is_not(None))
        )
        award = decide_award(
            [RankedBid(row[0], int(row[1] or 0), row[2], row[3]) for row in top],
            reserve_minor=reserve_minor,
            second_price=bool(second_price),
            min_bid_minor=min_bid_minor,
        )
        order_id = None
        if award.winner is not None and award.price_minor is not None:
            order = await create_order_for_lot(
                session,
                lot_id,
                buyer_org_id=award.winner.bidder_org_id,
                amount_minor=award.price_minor,
                source="award",
                terms={
                    "winning_bid": format_minor(award.winner.amount_minor, currency),
                    "pricing": "second_price" if second_price else "first_price",
                },
                at=at,
                payment_window=payment_window,
            )
            order_id = order.id
            outcome = "awarded"
        else:
            await session.execute(
                update(Lot)
                .where(Lot.id == lot_id, Lot.status == "live")
                .values(status="unsold", winning_amount_minor=None)
            )
            outcome = "unsold"
        winner_id = award.winner.bidder_org_id if award.winner else None
        session.add(
            LotClose(
                lot_id=lot_id,
                outcome=outcome,
                bid_count=int(count or 0),
                winner_org_id=winner_id if outcome == "awarded" else None,
                winning_bid_minor=award.winner.amount_minor if award.winner and outcome == "awarded" else None,
                price_minor=award.price_minor if outcome == "awarded" else None,
                order_id=order_id,
            )
        )
        now = utcnow()
        held = (
            await session.execute(
                select(BidDeposit.lot_id, BidDeposit.org_id, BidDeposit.amount_minor, BidDeposit.currency).where(
                    BidDeposit.lot_id == lot_id, BidDeposit.status == "held"
                )
            )
        ).all()
        await session.execute(
            update(BidDeposit)
            .where(BidDeposit.lot_id == lot_id, BidDeposit.status == "held")
            .values(
                status=_deposit_status_case(winner_id if outcome == "awarded" else None),
                settled_at=now,
            )
        )
        # the ledger's holds: the winner's posted (credited on its order), the rest voided
        await escrow.release_deposits(
            session,
            [BidDeposit(**deposit._asdict()) for deposit in held],
            now,
            winner_org_id=winner_id if outcome == "awarded" else None,
        )
        await record_close(session, lot_id, outcome, winner_id if outcome == "awarded" else None, at=now)
        await record_close_outbox(session, lot_id, outcome, winner_id if outcome == "awarded" else None)
    return AwardResult(lot_id, outcome, winner_id if outcome == "awarded" else None, award.price_minor, order_id)


def _deposit_status_case(winner_org_id: int | None) -> Any:
    from sqlalchemy import case

    if winner_org_id is None:
        return "released"
    return case((BidDeposit.org_id == winner_org_id, "applied"), else_="released")


async def close_lot(
    engine: BidEngine,
    lot_id: int,
    *,
    at: datetime | None = None,
    payment_window: timedelta | None = None,
) -> AwardResult | None:
    """Close one due sealed-bid lot if this caller wins the claim; None when there is nothing to do here."""
    code, _token = await engine.claim_close(lot_id)
    if code == "DONE":
        await engine.forget_due(lot_id)
        return None
    if code != "CLAIMED":
        return None
    result = await award_lot(engine.session_maker, lot_id, at=at, payment_window=payment_window)
    if result is None:
        async with engine.session_maker() as session:
            status = await session.scalar(select(Lot.status).where(Lot.id == lot_id))
        await engine.finish(lot_id, "closed" if status in ("awarded", "unsold") else "gone", status or "gone")
        return None
    await engine.finish(lot_id, "closed", result.outcome)
    # Committed with the award: should this process die here, another one's sweep delivers it.
    await deliver_closes(engine.session_maker, engine.publish_many, lot_ids=[lot_id])
    return result


async def close_due_lots(
    engine: BidEngine,
    *,
    limit: int = 200,
    now: datetime | None = None,
    payment_window: timedelta | None = None,
) -> list[AwardResult]:
    """Close every sealed-bid lot past its closing time (`now`, the runtime's clock), found in SQL and in
    Redis's close index."""
    now = now or datetime.now(UTC)
    async with engine.session_maker() as session:
        in_sql = (
            await session.scalars(
                select(Lot.id)
                .where(Lot.status == "live", Lot.sale_mode == "sealed_bid", Lot.closes_at <= now)
                .order_by(Lot.closes_at)
                .limit(limit)
            )
        ).all()
    in_redis = await engine.due_lot_ids(parse_micros(now))
    results = []
    for lot_id in sorted(set(in_sql) | set(in_redis)):
        try:
            result = await close_lot(engine, lot_id, at=now, payment_window=payment_window)
        except Exception as error:  # one bad lot must not stop the others; the next tick retries
            log.warning("closing lot %s failed (%s)", lot_id, type(error).__name__)
            continue
        if result is not None:
            results.append(result)
    return results


async def remind_closing_soon(
    session_maker: async_sessionmaker[AsyncSession],
    *,
    publish: Publish = _quiet,
    window: timedelta = REMINDER_WINDOW,
    now: datetime | None = None,
) -> int:
    """Remind watchers of sealed-bid lots closing within `window`, once per watch (safe across processes)."""
    now = now or datetime.now(UTC)
    soon = select(Lot.id).where(
        Lot.status == "live", Lot.sale_mode == "sealed_bid", Lot.closes_at > now, Lot.closes_at <= now + window
    )
    async with session_maker() as session, session.begin():
        claimed = (
            await session.execute(
                update(LotWatch)
                .where(LotWatch.reminded_at.is_(None), LotWatch.lot_id.in_(soon))
                .values(reminded_at=now)
                .returning(LotWatch.lot_id, LotWatch.org_id)
            )
        ).all()
        if not claimed:
            return 0
        titles = dict(
            (await session.execute(select(Lot.id, Lot.title).where(Lot.id.in_({row[0] for row in claimed})))).all()
        )
        rows: list[dict[str, Any]] = [
            {
                "org_id": org_id,
                "kind": "closing_soon",
                "title": f"Closing soon: {titles.get(lot_id, f'lot {lot_id}')}"[:200],
                "body": "A lot you watch closes within the hour. Place or revise your sealed bid before then.",
                "link": f"/lots/{lot_id}/sale",
                "created_at": now,
            }
            for lot_id, org_id in claimed
        ]
        await session.execute(insert(Notification), rows)
    for item in rows:
        publish(org_channel(int(item["org_id"])), "notification", {"kind": item["kind"]})
    return len(rows)
