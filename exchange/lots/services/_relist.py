"""Relisting: a fixed-price lot goes back on sale as itself; a sealed-bid lot whose buyer did not pay is copied into
a new lot (draft or live, with the sale the seller chooses) that names the lot it relists.

Relisting a sealed-bid lot in place would mix two bidding rounds (its bids, deposits, close and revisions are keyed
by the lot, and so is the bid engine's state), so the old lot keeps its round and its order history as they were.
Whether a lot may be relisted, and how, is `rules.relist_way`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.audit import record
from exchange.audit.actors import actor_of
from exchange.errors import Conflict, DomainError, Unprocessable, from_msgspec_error
from exchange.i18n.catalog import N_
from exchange.lots import rules, schemas
from exchange.lots.errors import ALREADY_RELISTED, lot_not_found
from exchange.lots.events import lot_went_live
from exchange.lots.index import reindex_lot
from exchange.lots.models import Lot, LotDocument, LotInvite
from exchange.lots.services._common import transition
from exchange.lots.services._drafts import current_body, leaf_category, lot_values, respecified, write_invites
from exchange.lots.services._lifecycle import _announce, _checked_for_sale, _went_live, _window, publish_lot
from exchange.lots.visibility import get_visible_lot
from exchange.orders.models import Order, RunnerUpOffer
from exchange.runtime import Runtime, clock_of
from exchange.specs.catalog import get_catalog

__all__ = ["relist_facts", "relist_lot", "relist_way_for"]


async def relist_facts(session: AsyncSession, lot: Lot) -> rules.RelistFacts:
    """What `rules.relist_way` decides on, read for this lot."""
    statuses = set(await session.scalars(select(Order.status).where(Order.lot_id == lot.id).distinct()))
    open_offer = await session.scalar(
        select(RunnerUpOffer.id).where(RunnerUpOffer.lot_id == lot.id, RunnerUpOffer.status == "offered").limit(1)
    )
    return rules.RelistFacts(
        status=lot.status,
        sale_mode=lot.sale_mode,
        live_order=bool(statuses - {"cancelled"}),
        unpaid_order="cancelled" in statuses,
        open_runner_up_offer=open_offer is not None,
        relisted_as=await session.scalar(select(Lot.id).where(Lot.relisted_from_id == lot.id)),
    )


async def _sellers_lot(session: AsyncSession, principal: Principal, lot_id: int) -> Lot:
    """The caller's own lot; 404 to everyone else (its orders and runner-up offers are the seller's business)."""
    lot = await get_visible_lot(session, principal, lot_id)
    if principal.org_id is None or lot.seller_org_id != principal.org_id:
        raise lot_not_found(lot_id)
    return lot


async def relist_lot(
    session: AsyncSession,
    principal: Principal,
    lot_id: int,
    data: schemas.RelistLot | None = None,
    *,
    runtime: Runtime | None = None,
    now: datetime | None = None,
) -> Lot:
    """Relist the caller's lot and answer the lot now on sale: the same lot (fixed price) or the new one
    (a sealed-bid lot whose buyer did not pay; `data` may give its sale and keep it a draft).

    The publishing checks run again (a compliance rule may send it to review first). Commits, then tells the bid
    engine and listeners."""
    data = data or schemas.RelistLot()
    lot = await _sellers_lot(session, principal, lot_id)
    # Under the locks of the lot's orders, which a runner-up offer takes on its order (`orders.runner_up`): an
    # offer and a relist racing on one lot see each other (PostgreSQL; SQLite has one writer at a time).
    await session.execute(select(Order.id).where(Order.lot_id == lot.id).with_for_update())
    way = rules.relist_way(await relist_facts(session, lot))
    now = now or clock_of(runtime).now()
    if way == rules.RELIST_AS_NEW_LOT:
        try:
            new = await _relist_as_new_lot(session, principal, lot, data, runtime, now)
        except DomainError:
            await session.rollback()  # a page answers with a redirect, which would commit the session
            raise
        await session.commit()
        if new.status == "live":
            await lot_went_live(runtime, new.id)
            _announce(runtime, new)
        return new
    if data.sale is not None or data.draft:
        field = "sale" if data.sale is not None else "draft"
        raise Unprocessable(N_("A fixed-price lot is relisted as it is, for a new listing window."), field=field)
    await _relist_in_place(session, principal, lot, runtime, now)
    await session.commit()
    if runtime is not None:
        await runtime.bid_engine.drop_state(lot.id)
    if lot.status == "live":
        await lot_went_live(runtime, lot.id)
        _announce(runtime, lot)
    return lot


async def _relist_in_place(
    session: AsyncSession, principal: Principal, lot: Lot, runtime: Runtime | None, now: datetime
) -> None:
    reasons = await _checked_for_sale(session, principal, lot, now)
    before = (lot.status,)
    if reasons:
        review = {"status": "in_review", "review_reason": " ".join(reasons)}
        await transition(session, lot, before, action="relist", actor=actor_of(principal), at=now, **review)
    else:
        window = _window(lot, now, timedelta(0), runtime)
        live = {"status": "live", "review_reason": "", **window}
        await transition(session, lot, before, action="relist", actor=actor_of(principal), at=now, **live)
        await _went_live(session, lot, "relisted", now, runtime)


async def _relist_as_new_lot(
    session: AsyncSession,
    principal: Principal,
    original: Lot,
    data: schemas.RelistLot,
    runtime: Runtime | None,
    now: datetime,
) -> Lot:
    """A copy of `original` (everything a buyer reads of it, its photos and documents, its invitations) with the
    new sale, as a draft; then published unless the seller keeps it a draft."""
    invites = sorted(await session.scalars(select(LotInvite.org_id).where(LotInvite.lot_id == original.id)))
    body = current_body(original, invites)
    if (category := get_catalog().get(original.category)) is not None:
        body["specs"] = respecified(category, category, body["specs"])
    body["sale"] = msgspec.to_builtins(data.sale) if data.sale is not None else {**body["sale"], "closes_at": None}
    try:
        merged = msgspec.convert(body, schemas.LotCreate)
    except msgspec.ValidationError as error:
        raise from_msgspec_error(error) from None
    values = lot_values(merged, leaf_category(merged.category))
    new = Lot(seller_org_id=original.seller_org_id, status="draft", relisted_from_id=original.id, **values)
    session.add(new)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:  # another relist of this lot won the race
        raise Conflict(N_("This lot was already relisted."), code=ALREADY_RELISTED) from None
    await write_invites(session, new.id, invites)
    documents = await session.scalars(
        select(LotDocument).where(LotDocument.lot_id == original.id).order_by(LotDocument.id)
    )
    session.add_all(
        LotDocument(
            lot_id=new.id,
            kind=d.kind,
            filename=d.filename,
            content_type=d.content_type,
            size=d.size,
            sha256=d.sha256,
            storage_key=d.storage_key,  # the same stored file: removing it from the new draft keeps it (refcount)
            thumb_key=d.thumb_key,
            uploaded_at=d.uploaded_at,
        )
        for d in documents
    )
    await session.flush()
    await reindex_lot(session, new)
    await record(
        session,
        actor=actor_of(principal),
        object_type="lot",
        object_id=original.id,
        action="relist",
        before={"status": original.status},
        after={"relisted_as": new.id},
        at=now,
    )
    if not data.draft:
        await publish_lot(session, principal, new.id, runtime=runtime, now=now)
    await session.refresh(new)
    return new


async def relist_way_for(session: AsyncSession, principal: Principal | None, lot_id: int) -> str | None:
    """For the seller's lot page: how the lot may be relisted now (`rules.may_relist`), or None."""
    lot = await session.get(Lot, lot_id)
    if lot is None or principal is None or principal.org_id != lot.seller_org_id:
        return None
    return rules.may_relist(await relist_facts(session, lot))
