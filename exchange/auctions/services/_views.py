"""What the lot's sale panel shows to one viewer: public status and count, and only their own bid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.auctions import schemas
from exchange.auctions.counts import bid_counts
from exchange.auctions.models import Bid, BidDeposit, LotClose, LotWatch
from exchange.auctions.rules import deposit_amount
from exchange.auctions.services._bids import my_bid_out
from exchange.auctions.services._deposits import deposit_out
from exchange.lots.models import Lot
from exchange.lots.visibility import get_visible_lot
from exchange.money import format_minor
from exchange.runtime import Runtime

__all__ = ["SaleView", "sale_view"]


@dataclass(frozen=True, slots=True)
class SaleView:
    lot: Lot
    bid_count: int
    phase: str
    """open, closing (deadline passed, award under way), awarded, unsold, sold, or ended."""
    is_seller: bool
    is_buyer: bool
    """A verified buyer org that may act on this lot (not its seller)."""
    my_bid: schemas.MyBid | None
    deposit: schemas.Deposit | None
    deposit_required: str | None
    """The deposit this lot asks for (decimal string), when it asks for one."""
    watching: bool
    close: LotClose | None

    @property
    def sealed(self) -> bool:
        return self.lot.sale_mode == "sealed_bid"

    @property
    def can_bid(self) -> bool:
        return self.sealed and self.phase == "open" and self.is_buyer

    @property
    def needs_deposit(self) -> bool:
        return self.deposit_required is not None and (self.deposit is None or self.deposit.status != "held")

    @property
    def can_buy(self) -> bool:
        return not self.sealed and self.phase == "open" and self.is_buyer

    @property
    def price(self) -> str | None:
        return format_minor(self.lot.price_minor, self.lot.currency) if not self.sealed else None

    @property
    def min_bid(self) -> str | None:
        return format_minor(self.lot.min_bid_minor, self.lot.currency)


def _phase(lot: Lot, close: LotClose | None, now: datetime) -> str:
    if lot.status == "live":
        if lot.sale_mode == "sealed_bid" and lot.closes_at is not None and lot.closes_at <= now:
            return "closing"
        return "open"
    if lot.status in ("awarded", "unsold", "sold"):
        return lot.status
    return "ended"


async def sale_view(session: AsyncSession, runtime: Runtime, principal: Principal | None, lot_id: int) -> SaleView:
    """The sale panel's data for this viewer (404 for a lot they may not see)."""
    lot = await get_visible_lot(session, principal, lot_id)
    close = await session.get(LotClose, lot_id)
    org_id = principal.org_id if principal else None
    my_bid = deposit = None
    watching = False
    if org_id is not None:
        bid = await session.scalar(
            select(Bid).where(Bid.lot_id == lot_id, Bid.bidder_org_id == org_id, Bid.amount_minor.is_not(None))
        )
        my_bid = my_bid_out(bid, lot, close) if bid is not None else None
        held = await session.scalar(select(BidDeposit).where(BidDeposit.lot_id == lot_id, BidDeposit.org_id == org_id))
        deposit = deposit_out(held) if held is not None else None
        watching = await session.get(LotWatch, (lot_id, org_id)) is not None
    required = None
    if lot.sale_mode == "sealed_bid" and lot.deposit_percent:
        required = format_minor(
            deposit_amount(
                percent=lot.deposit_percent,
                reference_price_minor=lot.reference_price_minor,
                quantity_value=lot.quantity_value,
                min_bid_minor=lot.min_bid_minor,
            ),
            lot.currency,
        )
    is_buyer = bool(
        principal
        and principal.org_kind == "buyer"
        and principal.org_verified
        and org_id is not None
        and org_id != lot.seller_org_id
    )
    counts = await bid_counts(runtime, [lot_id])
    return SaleView(
        lot=lot,
        bid_count=counts.get(lot_id, 0),
        phase=_phase(lot, close, runtime.clock.now()),
        is_seller=org_id is not None and org_id == lot.seller_org_id,
        is_buyer=is_buyer,
        my_bid=my_bid,
        deposit=deposit,
        deposit_required=required,
        watching=watching,
        close=close,
    )
