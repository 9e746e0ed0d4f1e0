"""What the clock does to disputes: handlers of the order deadlines the disputes package starts.

`DISPUTE_DEADLINE_HANDLERS` joins the orders' handlers in `exchange.app.DEADLINE_HANDLERS`; the orders
deadline job fires each deadline exactly once, in a transaction that holds the order's row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.disputes.models import Dispute
from exchange.disputes.services._escalation import ANSWER_DEADLINE, DECISION_DEADLINE, escalate_now
from exchange.disputes.services._notices import tell_admins
from exchange.i18n.catalog import N_
from exchange.orders.deadlines import DeadlineHandler
from exchange.orders.models import Order
from exchange.orders.rules import Actor

__all__ = ["DISPUTE_DEADLINE_HANDLERS", "decision_overdue", "escalate_unanswered"]


async def _dispute_of(session: AsyncSession, order: Order) -> Dispute | None:
    return await session.scalar(
        select(Dispute).where(Dispute.order_id == order.id).execution_options(populate_existing=True)
    )


async def escalate_unanswered(session: AsyncSession, order: Order, now: datetime) -> None:
    """At the seller's answer deadline an unanswered claim (or an offer the buyer has not taken) is escalated."""
    dispute = await _dispute_of(session, order)
    if dispute is None or dispute.status not in ("open", "offered"):
        return
    if dispute.status == "offered":
        why = N_("the buyer had not taken the seller's offer by the answer deadline.")
    else:
        why = N_("the seller did not answer in time.")
    await escalate_now(session, dispute, order, "escalate", Actor.clock(), now, why=why, runtime=None)


async def decision_overdue(session: AsyncSession, order: Order, now: datetime) -> None:
    """The admins' decision deadline passed: every admin is reminded (the queue marks the dispute overdue)."""
    dispute = await _dispute_of(session, order)
    if dispute is None or dispute.status != "escalated":
        return
    await tell_admins(
        session,
        dispute,
        subject=f"Overdue: dispute {dispute.id} on order {order.id}",
        body=f"The decision on dispute {dispute.id} was due at {now:%Y-%m-%d %H:%M} UTC.",
    )


DISPUTE_DEADLINE_HANDLERS: dict[str, DeadlineHandler] = {
    ANSWER_DEADLINE: escalate_unanswered,
    DECISION_DEADLINE: decision_overdue,
}
