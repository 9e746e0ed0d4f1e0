"""Sample orders in a thread: a few units at a sample price, credited against the lot's order later."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.errors import Conflict, NotFound, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.lots.models import Lot
from exchange.money import format_minor, parse_money
from exchange.orders import escrow
from exchange.rfq import rules, schemas
from exchange.rfq.errors import NOT_YOUR_MOVE, SAMPLE_NOT_FOUND, SAMPLE_PENDING, THREAD_CLOSED
from exchange.rfq.models import SampleOrder
from exchange.rfq.services._access import as_conflict, load_thread, party_side
from exchange.rfq.services._effects import publish_after_commit
from exchange.rfq.services._notices import notify_thread
from exchange.runtime import Runtime, clock_of

__all__ = ["move_sample", "request_sample"]


async def request_sample(
    session: AsyncSession,
    principal: Principal,
    thread_id: int,
    data: schemas.SampleCreate,
    *,
    runtime: Runtime | None = None,
) -> SampleOrder:
    """The buyer asks for a paid sample; the seller then names the sample price."""
    thread = await load_thread(session, principal, thread_id)
    side = party_side(thread, principal)
    if side != "buyer":
        raise Conflict(N_("Only the buyer orders samples."), code=NOT_YOUR_MOVE)
    lot = await session.get(Lot, thread.lot_id)
    assert lot is not None
    if thread.status != "open" or lot.status != "live":
        raise Conflict(N_("This negotiation has ended; samples can no longer be ordered."), code=THREAD_CLOSED)
    pending = await session.scalar(
        select(SampleOrder.id).where(
            SampleOrder.thread_id == thread.id, SampleOrder.status.in_(("requested", "priced"))
        )
    )
    if pending is not None:
        raise Conflict(
            N_("A sample request in this thread is still waiting; finish or decline it first."), code=SAMPLE_PENDING
        )
    sample = SampleOrder(
        thread_id=thread.id,
        lot_id=thread.lot_id,
        buyer_org_id=thread.buyer_org_id,
        seller_org_id=thread.seller_org_id,
        units=data.units,
        currency=lot.currency,
        status="requested",
        note=data.note.strip(),
    )
    session.add(sample)
    await session.flush()
    await notify_thread(
        session,
        thread.seller_org_id,
        thread.id,
        kind="rfq_sample",
        title=f"Sample requested: {data.units} units of {lot.title}",
        body="Name a sample price per unit; the fee is credited if the buyer then buys the lot.",
        runtime=runtime,
    )
    publish_after_commit(session, runtime, thread.id, "sample")
    return sample


async def move_sample(
    session: AsyncSession,
    principal: Principal,
    thread_id: int,
    sample_id: int,
    move: str,
    *,
    unit_price: str | int | None = None,
    runtime: Runtime | None = None,
) -> SampleOrder:
    """price (seller, with `unit_price`) · confirm (buyer: the fee becomes due) · ship (seller) · decline."""
    thread = await load_thread(session, principal, thread_id)
    side = party_side(thread, principal)
    sample = await session.get(SampleOrder, sample_id, populate_existing=True)
    if sample is None or sample.thread_id != thread.id:
        raise NotFound(
            Msg("There is no sample {sample_id} in this thread.", sample_id=sample_id), code=SAMPLE_NOT_FOUND
        )
    try:
        new_status = rules.check_sample_move(sample.status, move, side)
    except rules.IllegalMove as illegal:
        raise as_conflict(illegal) from None
    if move in ("price", "confirm") and thread.status != "open":
        raise Conflict(
            N_("This negotiation has ended; the sample can no longer be priced or ordered."), code=THREAD_CLOSED
        )
    if move == "price":
        if unit_price is None:
            raise Unprocessable(N_("Give unit_price, the sample price per unit."), field="unit_price")
        price_minor = parse_money(unit_price, sample.currency, field="unit_price")
        sample.unit_price_minor = price_minor
        sample.fee_minor = rules.sample_fee(sample.units, price_minor)
    sample.status = new_status
    await session.flush()
    if new_status == "ordered":  # the buyer pays the sample's fee to the seller, through the ledger
        await escrow.sample_paid(session, sample, clock_of(runtime).now())
    lot_title = await session.scalar(select(Lot.title).where(Lot.id == thread.lot_id)) or f"lot {thread.lot_id}"
    counterpart = thread.seller_org_id if side == "buyer" else thread.buyer_org_id
    fee = f"{format_minor(sample.fee_minor, sample.currency)} {sample.currency}" if sample.fee_minor is not None else ""
    titles = {
        "priced": f"Sample priced: {fee} for {sample.units} units of {lot_title}",
        "ordered": f"Sample ordered: {sample.units} units of {lot_title} ({fee})",
        "shipped": f"Sample shipped: {sample.units} units of {lot_title}",
        "declined": f"Sample declined: {lot_title}",
    }
    await notify_thread(session, counterpart, thread.id, kind="rfq_sample", title=titles[new_status], runtime=runtime)
    publish_after_commit(session, runtime, thread.id, "sample")
    return sample
