"""The API's view of threads, offers and samples (effective statuses: expiry and lot availability applied)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import Org
from exchange.lots.models import Lot
from exchange.money import format_minor
from exchange.rfq import rules, schemas
from exchange.rfq.models import RfqOffer, RfqThread, SampleOrder
from exchange.rfq.services._access import load_offers, thread_state

__all__ = ["load_samples", "offer_out", "org_names", "sample_out", "thread_out"]


def offer_out(offer: RfqOffer, now: datetime, *, thread_open: bool = True) -> schemas.Offer:
    """An offer as the API shows it: expired once past valid-until, closed once its thread has ended."""
    state = rules.OfferState(
        id=offer.id, by_side=cast(rules.Side, offer.by_side), status=offer.status, valid_until=offer.valid_until
    )
    status = rules.effective_offer_status(state, now)
    return schemas.Offer(
        id=offer.id,
        version=offer.version,
        by_org_id=offer.by_org_id,
        by_side=offer.by_side,
        price=format_minor(offer.price_minor, offer.currency) or "0",
        currency=offer.currency,
        valid_until=offer.valid_until,
        delivery_by=offer.delivery_by,
        payment_terms=offer.payment_terms,
        packaging=offer.packaging,
        message=offer.message,
        status=status if thread_open or status != "open" else "closed",
        created_at=offer.created_at,
    )


def sample_out(sample: SampleOrder) -> schemas.Sample:
    return schemas.Sample(
        id=sample.id,
        units=sample.units,
        unit_price=format_minor(sample.unit_price_minor, sample.currency),
        fee=format_minor(sample.fee_minor, sample.currency),
        currency=sample.currency,
        status=sample.status,
        note=sample.note,
        created_at=sample.created_at,
        credited_order_id=sample.credited_order_id,
    )


async def org_names(session: AsyncSession, org_ids: Iterable[int]) -> dict[int, str]:
    ids = set(org_ids)
    if not ids:
        return {}
    rows = await session.execute(select(Org.id, Org.name).where(Org.id.in_(ids)))
    return {org_id: name for org_id, name in rows.all()}


async def load_samples(session: AsyncSession, thread_id: int) -> list[SampleOrder]:
    rows = await session.scalars(
        select(SampleOrder)
        .where(SampleOrder.thread_id == thread_id)
        .order_by(SampleOrder.id)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def thread_out(session: AsyncSession, thread: RfqThread, now: datetime) -> schemas.Thread:
    """One thread with every offer oldest first, its samples, and whose answer it waits for."""
    lot = await session.get(Lot, thread.lot_id, populate_existing=True)
    assert lot is not None  # a thread's lot is never deleted (foreign key)
    offers = await load_offers(session, thread.id)
    state = thread_state(thread, offers, lot)
    names = await org_names(session, (thread.buyer_org_id, thread.seller_org_id))
    status = rules.effective_thread_status(state)
    closed_reason = thread.closed_reason
    if status == "closed" and not closed_reason:
        closed_reason = "The lot is no longer available."
    return schemas.Thread(
        id=thread.id,
        lot_id=thread.lot_id,
        buyer_org_id=thread.buyer_org_id,
        seller_org_id=thread.seller_org_id,
        status=status,
        offers=[offer_out(o, now, thread_open=status == "open") for o in offers],
        lot_title=lot.title,
        buyer_org_name=names.get(thread.buyer_org_id, ""),
        seller_org_name=names.get(thread.seller_org_id, ""),
        currency=lot.currency,
        delivery_region=thread.delivery_region,
        waiting_for=rules.next_mover(state, now),
        closed_reason=closed_reason,
        order_id=thread.order_id,
        wanted_request_id=thread.wanted_request_id,
        samples=[sample_out(s) for s in await load_samples(session, thread.id)],
        created_at=thread.created_at,
        updated_at=thread.updated_at,
    )
