"""The opening report: every final bid with rank, amount, time and receipt, readable only after the close."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Org
from exchange.accounts.principal import Principal
from exchange.auctions import schemas
from exchange.auctions.errors import BIDS_SEALED, NO_OPENING_REPORT, NOT_SEALED_BID
from exchange.auctions.models import Bid, LotClose
from exchange.auctions.receipts import micros_to_datetime
from exchange.auctions.rules import RankedBid, rank_bids, ties_in
from exchange.errors import Forbidden, NotFound
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.lots.visibility import get_visible_lot
from exchange.money import format_minor

__all__ = ["opening_report", "sealed_until_close"]

_LEFT = {"sold": N_("sold by quote"), "withdrawn": N_("withdrawn by its seller")}
_NO_CLOSE = N_("without a close")


def sealed_until_close() -> Forbidden:
    return Forbidden(
        "Bids are sealed until the lot closes: before then nobody — not the seller, not an administrator, "
        "not other bidders — can read them. Only the number of bids is public.",
        code=BIDS_SEALED,
        title="Bids are sealed",
    )


async def opening_report(session: AsyncSession, principal: Principal | None, lot_id: int) -> schemas.OpeningReport:
    """After the close: every final bid ranked; bidder names for the seller (and each bidder's own)."""
    lot = await get_visible_lot(session, principal, lot_id)
    if lot.sale_mode != "sealed_bid":
        raise NotFound(N_("This lot is sold at a fixed price; it has no sealed bids."), code=NOT_SEALED_BID)
    close = await session.get(LotClose, lot_id)
    if close is None and lot.status != "live":
        raise NotFound(
            Msg(
                "This lot left sale {how}, before any sealed bid; there are no bids to open.",
                how=Msg(_LEFT.get(lot.status, _NO_CLOSE)),
            ),
            code=NO_OPENING_REPORT,
            title="No opening report",
        )
    if close is None:
        raise sealed_until_close()
    rows = (
        await session.execute(
            select(Bid, Org.name)
            .join(Org, Org.id == Bid.bidder_org_id)
            .where(Bid.lot_id == lot_id, Bid.amount_minor.is_not(None))
        )
    ).all()
    by_bidder = {bid.bidder_org_id: (bid, name) for bid, name in rows}
    ranked = rank_bids(
        RankedBid(bid.bidder_org_id, bid.amount_minor or 0, bid.rank_seq, bid.placed_at_us) for bid, _name in rows
    )
    viewer_org = principal.org_id if principal else None
    is_seller = viewer_org is not None and viewer_org == lot.seller_org_id
    entries: list[schemas.ReportBid] = []
    winner: schemas.Winner | None = None
    for rank, item in enumerate(ranked, start=1):
        bid, name = by_bidder[item.bidder_org_id]
        mine = viewer_org == bid.bidder_org_id
        bidder = schemas.Bidder(org_id=bid.bidder_org_id, name=name) if is_seller or mine else None
        entries.append(
            schemas.ReportBid(
                rank=rank,
                amount=format_minor(bid.amount_minor, bid.currency) or "0",
                placed_at=micros_to_datetime(bid.placed_at_us),
                receipt=bid.receipt,
                revision=bid.revision,
                mine=mine,
                bidder=bidder,
            )
        )
        if close.winner_org_id == bid.bidder_org_id and close.price_minor is not None:
            winner = schemas.Winner(
                rank=rank,
                amount=entries[-1].amount,
                price=format_minor(close.price_minor, lot.currency) or "0",
                receipt=bid.receipt,
                order_id=close.order_id if (is_seller or mine) else None,
                bidder=bidder,
            )
    return schemas.OpeningReport(
        lot_id=lot_id,
        status=close.outcome,
        currency=lot.currency,
        pricing="second_price" if lot.second_price else "first_price",
        closed_at=close.closed_at,
        bid_count=len(entries),
        winner=winner,
        bids=entries,
        ties=[
            schemas.ReportTie(
                amount=format_minor(tie.amount_minor, lot.currency) or "0",
                ranks=list(tie.ranks),
                same_second=tie.same_second,
            )
            for tie in ties_in(ranked)
        ],
    )
