"""Sealed-bid use cases: place, revise, withdraw, read one's own bid, list one's bids."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import idempotency
from exchange.accounts.principal import Principal
from exchange.auctions import schemas
from exchange.auctions.engine import PlacedBid
from exchange.auctions.errors import NO_BID
from exchange.auctions.models import Bid, LotClose
from exchange.auctions.receipts import micros_to_datetime
from exchange.auctions.services._common import buyer_org_id
from exchange.errors import NotFound
from exchange.i18n.catalog import N_
from exchange.lots.models import Lot
from exchange.lots.visibility import get_visible_lot
from exchange.money import format_minor, parse_currency, parse_money
from exchange.runtime import Runtime

__all__ = ["list_my_bids", "my_bid", "my_bid_out", "place_bid", "receipt_out", "withdraw_bid"]


def receipt_out(placed: PlacedBid) -> schemas.BidReceipt:
    return schemas.BidReceipt(
        lot_id=placed.lot_id,
        amount=format_minor(placed.amount_minor, placed.currency) or "0",
        currency=placed.currency,
        placed_at=micros_to_datetime(placed.placed_at_us),
        revision=placed.revision,
        receipt=placed.receipt,
        nonce=placed.nonce,
        bidder_org_id=placed.bidder_org_id,
    )


async def place_bid(
    runtime: Runtime, principal: Principal, lot_id: int, data: schemas.BidIn, idempotency_key: str | None = None
) -> schemas.BidReceipt:
    """Place or revise the caller's org's sealed bid; answered only once the bid is durable.

    Who may bid and until when is decided atomically by the engine's script (seller, private-lot
    invitation, deposit, minimum, deadline on the Redis clock) — the same visibility rule as
    `get_visible_lot`, without a database read on this hot path, except one indexed read: an org with an
    overdue credit invoice may not bid (`orders.credit.ensure_not_overdue`, 403 `invoice_overdue`; batched
    with the other bids' checks, `orders.overdue_checks`).
    """
    org_id = buyer_org_id(principal)
    currency = parse_currency(data.currency)
    amount_minor = parse_money(data.amount, currency, field="amount")
    await runtime.bid_engine.overdue_checks.ensure_not_overdue(org_id, runtime.clock.now())
    placed = await runtime.bid_engine.place_bid(
        lot_id=lot_id,
        bidder_org_id=org_id,
        amount_minor=amount_minor,
        currency=currency,
        user_id=principal.user_id,
        idempotency_key=idempotency.check_key(idempotency_key),
    )
    return receipt_out(placed)


async def withdraw_bid(runtime: Runtime, principal: Principal, lot_id: int) -> None:
    """Withdraw the caller's org's current bid before the close (404 when it has none)."""
    await runtime.bid_engine.withdraw_bid(
        lot_id=lot_id, bidder_org_id=buyer_org_id(principal), user_id=principal.user_id
    )


def _outcome(lot_status: str, close: LotClose | None, org_id: int) -> str:
    if lot_status == "live":
        return "active"
    if close is None:
        return "closed"
    return "won" if close.winner_org_id == org_id else "lost"


def my_bid_out(bid: Bid, lot: Lot, close: LotClose | None) -> schemas.MyBid:
    return schemas.MyBid(
        lot_id=bid.lot_id,
        amount=format_minor(bid.amount_minor, bid.currency) or "0",
        currency=bid.currency,
        placed_at=micros_to_datetime(bid.placed_at_us),
        revision=bid.revision,
        receipt=bid.receipt,
        nonce=bid.nonce,
        bidder_org_id=bid.bidder_org_id,
        outcome=_outcome(lot.status, close, bid.bidder_org_id),
        lot_title=lot.title,
        lot_status=lot.status,
        closes_at=lot.closes_at,
    )


async def my_bid(session: AsyncSession, principal: Principal, lot_id: int) -> schemas.MyBid:
    """The caller's org's current bid on a lot, with its receipt and nonce (404 when none)."""
    lot = await get_visible_lot(session, principal, lot_id)
    bid = None
    if principal.org_id is not None:
        bid = await session.scalar(
            select(Bid).where(
                Bid.lot_id == lot_id, Bid.bidder_org_id == principal.org_id, Bid.amount_minor.is_not(None)
            )
        )
    if bid is None:
        raise NotFound(N_("Your organisation has no current bid on this lot."), code=NO_BID)
    return my_bid_out(bid, lot, await session.get(LotClose, lot_id))


async def list_my_bids(session: AsyncSession, principal: Principal, *, limit: int = 200) -> list[schemas.MyBid]:
    """The caller's org's current bids, open lots first (soonest closing first), then closed ones."""
    if principal.org_id is None:
        return []
    rows = await session.execute(
        select(Bid, Lot, LotClose)
        .join(Lot, Lot.id == Bid.lot_id)
        .outerjoin(LotClose, LotClose.lot_id == Bid.lot_id)
        .where(Bid.bidder_org_id == principal.org_id, Bid.amount_minor.is_not(None))
        .order_by((Lot.status != "live"), Lot.closes_at, Bid.lot_id)
        .limit(limit)
    )
    return [my_bid_out(bid, lot, close) for bid, lot, close in rows.all()]
