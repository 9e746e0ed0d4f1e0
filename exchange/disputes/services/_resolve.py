"""Ending a dispute: one compare-and-set on its status, the order resolved, the money moved once, both told."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from exchange.disputes import rules
from exchange.disputes.errors import DISPUTE_STATE, DISPUTE_WRONG_SIDE
from exchange.disputes.models import Dispute, DisputeMessage
from exchange.disputes.services._audit import dispute_changed
from exchange.disputes.services._notices import tell_both
from exchange.errors import Conflict, Forbidden
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Lines, Money, Msg, MsgText
from exchange.money import format_minor
from exchange.orders import deadlines, escrow, transitions
from exchange.orders.models import Order
from exchange.orders.rules import Actor
from exchange.runtime import Runtime

__all__ = ["DisputeStateConflict", "move", "refuse", "resolve", "say"]


OUTCOME_WORDS = (N_("claim accepted"), N_("offer accepted"), N_("refund"), N_("partial refund"), N_("release"))
"""A dispute's outcomes as words, in the catalogue for the thread's outcome line."""


class DisputeStateConflict(Conflict):
    """409 naming the dispute's status and what the caller may do in it."""

    def __init__(self, detail: str | Msg, *, state: str, allowed: list[str]) -> None:
        super().__init__(detail, code=DISPUTE_STATE, title="Not allowed in this dispute state")
        self.state = state
        self.allowed = allowed

    def problem(self, instance: str | None = None) -> dict[str, object]:
        body = super().problem(instance)
        body["state"] = self.state
        body["allowed_actions"] = self.allowed
        return body


def refuse(status: str, action: str, side: str) -> Conflict | Forbidden:
    if side not in rules.dispute_sides_for(action):
        return Forbidden(
            f"The {side} of a dispute never takes the action {action!r}.",
            code=DISPUTE_WRONG_SIDE,
            title="Not your action",
        )
    allowed = rules.dispute_actions(status, side)
    english = (
        f"The dispute is {status}: {action.replace('_', ' ')} is not possible now. "
        f"Allowed for you: {', '.join(allowed) or 'none'}."
    )
    page = Msg(
        "This step is not possible now: the dispute is {state}. Reload the page to see what you can do.",
        state=Msg(status),
    )
    return DisputeStateConflict(
        MsgText(page, english),
        state=status,
        allowed=allowed,
    )


async def move(
    session: AsyncSession, dispute: Dispute, action: str, actor: Actor, at: datetime, **values: object
) -> rules.DisputeMove:
    """Move the dispute by `action` (one conditional UPDATE on the status it had), or 403/409 changing nothing."""
    row = rules.dispute_move(action, actor.side, dispute.status)
    if row is None:
        raise refuse(dispute.status, action, actor.side)
    before = dispute.status
    changes = {"status": row.target, **values}
    result = await session.execute(
        update(Dispute)
        .where(Dispute.id == dispute.id, Dispute.status == before)
        .values(**changes)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        current = await session.scalar(
            select(Dispute.status).where(Dispute.id == dispute.id).execution_options(populate_existing=True)
        )
        raise refuse(current or before, action, actor.side)
    for name, value in changes.items():
        set_committed_value(dispute, name, value)
    await dispute_changed(session, dispute, action, actor, at, before=before)
    return row


async def say(
    session: AsyncSession,
    dispute: Dispute,
    actor: Actor,
    body: str,
    at: datetime,
    evidence_ids: Sequence[int] = (),
    *,
    words: Msg | None = None,
) -> DisputeMessage:
    """Add a message to the thread: `body` as the API shows it; `words`, when the exchange wrote it, for pages."""
    message = DisputeMessage(
        dispute_id=dispute.id,
        author=actor.ref,
        side=actor.side,
        body=body,
        words=words.to_json() if words is not None else None,
        evidence_ids=list(evidence_ids),
        created_at=at,
    )
    session.add(message)
    await session.flush()
    return message


async def resolve(
    session: AsyncSession,
    dispute: Dispute,
    order: Order,
    action: str,
    actor: Actor,
    at: datetime,
    *,
    refund_minor: int,
    outcome: str,
    reason: str,
    runtime: Runtime | None,
    values: dict[str, object] | None = None,
) -> None:
    """Resolve the dispute and its order in the caller's transaction: ESCROW -> REFUNDS_PAYABLE(buyer) the refund
    and the rest settled to the seller less fees, in the one settlement entry (keyed by the order, so once)."""
    refund_minor = max(0, min(refund_minor, order.amount_minor))
    await move(
        session,
        dispute,
        action,
        actor,
        at,
        outcome=outcome,
        refund_minor=refund_minor,
        decision_reason=reason,
        resolved_by=actor.ref,
        resolved_at=at,
        **(values or {}),
    )
    await deadlines.close(session, order.id, ("dispute_answer", "admin_decision"), at)
    await transitions.apply(
        session,
        order,
        "resolve",
        actor,
        at,
        detail={"dispute_id": dispute.id, "outcome": outcome, "refund": refund_minor},
    )
    await escrow.settle(session, order, at, refund_minor=refund_minor)
    refund = format_minor(refund_minor, order.currency)
    rest = format_minor(order.amount_minor - refund_minor, order.currency)
    summary = (
        f"Outcome: {outcome.replace('_', ' ')}. Refund to the buyer: {refund} {order.currency}; "
        f"settled to the seller before fees: {rest} {order.currency}."
    )
    outcome_words = Msg(
        "Outcome: {outcome}. Refund to the buyer: {refund}; settled to the seller before fees: {rest}.",
        outcome=Msg(outcome.replace("_", " ")),
        refund=Money(refund, order.currency),
        rest=Money(rest, order.currency),
    )
    await say(
        session,
        dispute,
        actor,
        f"{summary}\n{reason}".strip(),
        at,
        words=Lines([outcome_words, reason]) if reason.strip() else outcome_words,
    )
    await tell_both(
        session,
        order,
        dispute,
        kind="dispute_resolved",
        title=Msg("dispute resolved"),
        body=Msg(
            "Outcome: {outcome}. Refund to the buyer: {refund}; settled to the seller before fees: {rest}.\n"
            "Reason: {reason}",
            outcome=Msg(outcome.replace("_", " ")),
            refund=Money(refund, order.currency),
            rest=Money(rest, order.currency),
            reason=reason,
        ),
        runtime=runtime,
    )
