"""The admin's side: the arbitration queue and the decision (refund, partial refund, release)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import paging
from exchange.accounts.principal import Principal
from exchange.disputes import rules, schemas
from exchange.disputes.models import Dispute
from exchange.disputes.services._access import actor_for, dispute_for, lock_order
from exchange.disputes.services._resolve import refuse, resolve
from exchange.disputes.services._views import queue_item_out
from exchange.disputes.services.disputes import refund_amount, view
from exchange.errors import Unprocessable
from exchange.i18n.catalog import N_
from exchange.orders.models import Order
from exchange.runtime import Runtime
from exchange.text import clean_text

__all__ = ["QUEUE_FILTERS", "decide", "dispute_queue", "dispute_queue_page"]

QUEUE_FILTERS = ("escalated", "open", "offered", "resolved", "all")


def _queue_query(status: str) -> Any:
    query = select(Dispute, Order.amount_minor).join(Order, Order.id == Dispute.order_id)
    if status != "all":
        query = query.where(Dispute.status == status)
    if status == "escalated":
        return query.order_by(Dispute.decide_by, Dispute.id)
    return query.order_by(Dispute.created_at.desc(), Dispute.id.desc())


async def dispute_queue(
    session: AsyncSession, *, status: str = "escalated", runtime: Runtime, limit: int = 200
) -> list[schemas.DisputeQueueItem]:
    """Disputes for the admins: escalated ones by decision deadline (most urgent first), others newest first."""
    items, _ = await dispute_queue_page(session, status=status, runtime=runtime, window=paging.Window(limit, 0))
    return items


async def dispute_queue_page(
    session: AsyncSession, *, status: str = "escalated", runtime: Runtime, window: paging.Window
) -> tuple[list[schemas.DisputeQueueItem], int]:
    """One window of `dispute_queue`, and how many disputes it has in all."""
    rows, total = await paging.fetch_window(session, _queue_query(status), window)
    now = runtime.clock.now()
    return [queue_item_out(dispute, amount, now) for dispute, amount in rows], total


async def decide(
    session: AsyncSession, principal: Principal, dispute_id: int, data: schemas.Decision, *, runtime: Runtime
) -> schemas.Dispute:
    """An admin's decision on an escalated dispute: the money moves once and both sides are told why.

    Two admins deciding at once: the dispute's status changes by compare-and-set, so one decision stands
    and the other is a 409 (and the settlement entry is keyed by the order, so money moves once).
    """
    dispute, side = await dispute_for(session, principal, dispute_id)
    if side != "admin":
        raise refuse(dispute.status, "decide", side)
    order = await lock_order(session, dispute.order_id)
    if data.outcome == "refund":
        refund = order.amount_minor
    elif data.outcome == "release":
        refund = 0
    else:
        if data.amount is None:
            raise Unprocessable(N_("A partial refund needs its amount."), field="amount")
        refund = refund_amount(data.amount, order, "amount")
    if rules.dispute_move("decide", side, dispute.status) is None:
        raise refuse(dispute.status, "decide", side)
    reason = clean_text(data.reason, field="reason", label="The reason", required=True, multiline=True)
    if data.outcome == "refund":
        reason += "\nThe goods go back to the seller at the seller's cost."
    await resolve(
        session,
        dispute,
        order,
        "decide",
        actor_for(principal, side),
        runtime.clock.now(),
        refund_minor=refund,
        outcome=data.outcome,
        reason=reason,
        runtime=runtime,
    )
    return await view(session, dispute, side)
