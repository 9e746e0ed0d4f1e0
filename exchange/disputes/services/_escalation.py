"""Escalation to the admin queue: by the seller's rejection, by the buyer, or by the clock at the answer deadline."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.disputes.models import Dispute
from exchange.disputes.services._notices import tell, tell_admins
from exchange.disputes.services._resolve import move
from exchange.i18n.messages import Msg, When, as_msg
from exchange.orders import deadlines
from exchange.orders.models import Order
from exchange.orders.rules import Actor
from exchange.runtime import Runtime

__all__ = ["ANSWER_DEADLINE", "DECISION_DEADLINE", "escalate_now"]

ANSWER_DEADLINE = "dispute_answer"
DECISION_DEADLINE = "admin_decision"


async def escalate_now(
    session: AsyncSession,
    dispute: Dispute,
    order: Order,
    action: str,
    actor: Actor,
    at: datetime,
    *,
    why: str | Msg,
    runtime: Runtime | None,
    **values: object,
) -> None:
    """Move the dispute to the admin queue; the answer deadline ends and the admin's decision deadline starts."""
    window = timedelta(seconds=dispute.decision_window_s)
    await move(
        session, dispute, action, actor, at, escalated_at=at, escalated_by=actor.ref, decide_by=at + window, **values
    )
    await deadlines.close(session, order.id, (ANSWER_DEADLINE,), at)
    await deadlines.start(session, order.id, DECISION_DEADLINE, at + window, length=window)
    body = Msg(
        "Dispute {dispute} on order {order} is with the arbitration desk: {why} An admin decides by {due}.",
        dispute=dispute.id,
        order=order.id,
        why=as_msg(why),
        due=When(at + window),
    )
    for side in ("buyer", "seller"):
        await tell(
            session,
            order,
            dispute,
            side,
            kind="dispute_escalated",
            title=Msg("dispute escalated"),
            body=body,
            runtime=runtime,
        )
    await tell_admins(
        session, dispute, subject=Msg("Dispute {dispute} waits for a decision", dispute=dispute.id), body=body
    )
