"""A lot leaving sale by another path than its close: sold by quote, withdrawn by its seller, expired.

Both steps run inside the transaction that moves the lot out of `live`, after that UPDATE:

* `require_no_bids` applies `rules.sells_only_at_close`. Checked after the lot's row was changed in
  this transaction, it is race-free against a bid arriving at the same moment: a bid is acknowledged
  only once its batch has committed under a lock on the lot that requires the lot `live`
  (`writers.lock_live_lots`, PostgreSQL row locks or SQLite's write lock). Either that batch committed
  first, and the count here sees its bid (the caller rolls back: a 409 `lot_has_bids`); or the batch
  waits for this transaction, finds the lot no longer live and refuses the bid (409), and the engine
  rebuilds its copy. Called before any change (a quote being offered), it is a courtesy check: the
  acceptance checks again.
* `settle_left_sale` releases the bid deposits held on the lot and tells every org that bid, held a
  deposit or watches the lot, one notification each.

After the commit the caller raises `lots.events.lot_left_sale` or `lot_sold_elsewhere`, which closes
the lot in the bid engine at once (no more bids) and tells open pages.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.auctions import rules
from exchange.auctions.counts import bid_counts_in_sql
from exchange.auctions.models import Bid, BidDeposit, LotWatch
from exchange.db.base import utcnow
from exchange.i18n.messages import Money, Msg
from exchange.lots.models import Lot
from exchange.money import format_minor
from exchange.notifications.services import notify
from exchange.orders import escrow
from exchange.runtime import Runtime

__all__ = ["LeftHow", "require_no_bids", "settle_left_sale"]

LeftHow = Literal["sold", "withdrawn", "expired"]

_NEWS: dict[str, tuple[Msg, Msg]] = {
    "sold": (
        Msg("Sold by quote"),
        Msg("The seller sold this lot by quote before any sealed bid was placed; it is no longer for sale."),
    ),
    "withdrawn": (Msg("Withdrawn"), Msg("The seller withdrew this lot; it is no longer for sale.")),
    "expired": (Msg("Listing ended"), Msg("The lot's listing window ended unsold; it is no longer for sale.")),
}


async def require_no_bids(session: AsyncSession, lot: Lot, *, refused: str) -> None:
    """409 `lot_has_bids` for a sealed-bid lot with a current bid (see the module's docstring for when
    this is race-free); `refused` names what cannot happen ("sold by quote")."""
    if lot.sale_mode != "sealed_bid":
        return
    count = (await bid_counts_in_sql(session, [lot.id])).get(lot.id, 0)
    rules.require_no_bids(lot.sale_mode, count, refused=refused)


async def settle_left_sale(
    session: AsyncSession, lot_id: int, how: LeftHow, *, buyer_org_id: int | None = None, runtime: Runtime | None = None
) -> set[int]:
    """Release the lot's held deposits and notify each org that bid, held a deposit or watches it (not
    its seller, nor the buyer of a quote sale); returns the orgs told. Runs in the caller's transaction."""
    lot = (await session.execute(select(Lot.title, Lot.seller_org_id).where(Lot.id == lot_id))).one()
    released = (
        await session.execute(
            update(BidDeposit)
            .where(BidDeposit.lot_id == lot_id, BidDeposit.status == "held")
            .values(status="released", settled_at=utcnow())
            .returning(BidDeposit.org_id, BidDeposit.amount_minor, BidDeposit.currency)
            .execution_options(synchronize_session=False)
        )
    ).all()
    returned = [BidDeposit(lot_id=lot_id, org_id=o, amount_minor=n, currency=c) for o, n, c in released]
    await escrow.release_deposits(session, returned, utcnow())  # the ledger's holds go back to the bidders
    deposits = {org_id: Money(format_minor(amount, currency), currency) for org_id, amount, currency in released}
    bidders = set(await session.scalars(select(Bid.bidder_org_id).where(Bid.lot_id == lot_id)))
    watchers = set(await session.scalars(select(LotWatch.org_id).where(LotWatch.lot_id == lot_id)))
    told = (bidders | watchers | set(deposits)) - {lot.seller_org_id, buyer_org_id}
    headline, body = _NEWS[how]
    for org_id in sorted(told):
        released_note = (
            Msg(" Your bid deposit of {deposit} is released.", deposit=deposits[org_id]) if org_id in deposits else ""
        )
        await notify(
            session,
            org_id,
            kind="lot_left_sale",
            title=Msg("{headline}: {title}", headline=headline, title=lot.title),
            body=Msg("{news}{deposit}", news=body, deposit=released_note),
            link=f"/lots/{lot_id}",
            runtime=runtime,
        )
    return told
