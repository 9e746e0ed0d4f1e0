"""A buyer's dispute: opened in the inspection window, answered by the seller, escalated, messages and reading."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.disputes import rules, schemas
from exchange.disputes.errors import ESCALATION_TOO_EARLY, REFUND_TOO_LARGE
from exchange.disputes.models import Dispute, DisputeMessage, Inspection
from exchange.disputes.services._access import actor_for, dispute_for, lock_order, order_for
from exchange.disputes.services._audit import dispute_changed
from exchange.disputes.services._escalation import ANSWER_DEADLINE, escalate_now
from exchange.disputes.services._notices import tell
from exchange.disputes.services._resolve import DisputeStateConflict, move, refuse, resolve, say
from exchange.disputes.services._views import dispute_out
from exchange.disputes.services._window import require_window
from exchange.disputes.services.evidence import check_evidence_ids, evidence_of
from exchange.disputes.services.inspections import latest_inspection
from exchange.errors import Conflict, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Money, Msg, When, render_stored
from exchange.money import format_minor, parse_money
from exchange.orders import deadlines, transitions
from exchange.orders.models import Order
from exchange.runtime import Runtime
from exchange.text import clean_text

__all__ = [
    "accept_offer",
    "add_message",
    "answer_dispute",
    "dispute_id_of_order",
    "escalate",
    "get_dispute",
    "open_dispute",
    "view",
]


def refund_amount(raw: str | int, order: Order, field: str) -> int:
    minor = parse_money(raw, order.currency, field=field)
    if minor > order.amount_minor:
        raise Unprocessable(
            Msg(
                "The refund ({refund}) is more than the order's amount ({amount}).",
                refund=Money(format_minor(minor, order.currency), order.currency),
                amount=Money(format_minor(order.amount_minor, order.currency), order.currency),
            ),
            field=field,
            code=REFUND_TOO_LARGE,
        )
    return minor


async def _thread(session: AsyncSession, dispute: Dispute) -> Sequence[DisputeMessage]:
    return (
        await session.scalars(
            select(DisputeMessage).where(DisputeMessage.dispute_id == dispute.id).order_by(DisputeMessage.id)
        )
    ).all()


async def view(
    session: AsyncSession, dispute: Dispute, side: str, messages: Sequence[DisputeMessage] | None = None
) -> schemas.Dispute:
    order = await session.get(Order, dispute.order_id)
    assert order is not None
    inspection = await session.get(Inspection, dispute.inspection_id) if dispute.inspection_id else None
    messages = messages if messages is not None else await _thread(session, dispute)
    return dispute_out(
        dispute,
        side=side,
        order_amount_minor=order.amount_minor,
        inspection=inspection,
        evidence=await evidence_of(session, order),
        messages=messages,
    )


async def dispute_id_of_order(session: AsyncSession, principal: Principal, order_id: int) -> int | None:
    """The id of the order's dispute (None without one); 404 to anyone who is neither party nor an admin."""
    order, _ = await order_for(session, principal, order_id)
    return await session.scalar(select(Dispute.id).where(Dispute.order_id == order.id))


async def get_dispute(session: AsyncSession, principal: Principal, dispute_id: int) -> schemas.Dispute:
    """A dispute with its evidence and messages, for its two orgs and admins; 404 to anyone else."""
    dispute, side = await dispute_for(session, principal, dispute_id)
    return await view(session, dispute, side)


async def dispute_page(
    session: AsyncSession, principal: Principal, dispute_id: int
) -> tuple[schemas.Dispute, dict[int, str]]:
    """`get_dispute` for the page, with the lines the exchange wrote in the thread (outcome, offer, escalation)
    in the current language, by message id (the API's `body` keeps their English)."""
    dispute, side = await dispute_for(session, principal, dispute_id)
    messages = await _thread(session, dispute)
    words = {m.id: render_stored(m.words, m.body) for m in messages if isinstance(m.words, dict)}
    return await view(session, dispute, side, messages), words


async def open_dispute(
    session: AsyncSession, principal: Principal, order_id: int, data: schemas.DisputeCreate, *, runtime: Runtime
) -> schemas.Dispute:
    """The buyer objects within the inspection window; the seller has the answer window to reply."""
    order, side = await order_for(session, principal, order_id)
    if side != "buyer":
        raise transitions.refuse(order, "dispute", side)
    reason = clean_text(data.reason, field="reason", label="The reason", required=True, multiline=True)
    now = runtime.clock.now()
    order = await lock_order(session, order.id)
    await require_window(session, order, now)
    inspection = await latest_inspection(session, order.id)
    if data.claimed_refund is not None:
        claimed = refund_amount(data.claimed_refund, order, "claimed_refund")
    else:
        suggested = inspection.suggested_refund_minor if inspection is not None else 0
        claimed = suggested or order.amount_minor  # a finding the formula does not price claims the whole amount
    evidence_ids = await check_evidence_ids(session, order, data.evidence_ids, field="evidence_ids")
    actor = actor_for(principal, side)
    await transitions.apply(session, order, "dispute", actor, now, detail={"claimed_refund": claimed})
    window = runtime.settings.orders.dispute_answer_window
    dispute = Dispute(
        order_id=order.id,
        buyer_org_id=order.buyer_org_id,
        seller_org_id=order.seller_org_id,
        status="open",
        reason=reason,
        currency=order.currency,
        claimed_refund_minor=claimed,
        inspection_id=inspection.id if inspection is not None else None,
        suggested_refund_minor=inspection.suggested_refund_minor if inspection is not None else None,
        evidence_ids=evidence_ids,
        answer_due_at=now + window,
        decision_window_s=int(runtime.settings.orders.admin_decision_window.total_seconds()),
        created_at=now,
    )
    session.add(dispute)
    await session.flush()
    await dispute_changed(session, dispute, "open", actor, now, before=None)
    await deadlines.start(session, order.id, ANSWER_DEADLINE, now + window, length=window)
    await say(session, dispute, actor, reason, now, evidence_ids)
    claim = Money(format_minor(claimed, order.currency), order.currency)
    await tell(
        session,
        order,
        dispute,
        "seller",
        kind="dispute_opened",
        title=Msg("the buyer objects"),
        body=Msg(
            "The buyer claims a refund of {claim}: {reason}\nAnswer by {due} (accept, offer a partial refund, or "
            "reject); unanswered, the dispute goes to an admin.",
            claim=claim,
            reason=reason,
            due=When(dispute.answer_due_at),
        ),
        runtime=runtime,
    )
    return await view(session, dispute, side)


async def answer_dispute(
    session: AsyncSession, principal: Principal, dispute_id: int, data: schemas.DisputeAnswer, *, runtime: Runtime
) -> schemas.Dispute:
    """The seller accepts the claim (resolved, refunded), offers a partial refund, or rejects (escalated)."""
    dispute, side = await dispute_for(session, principal, dispute_id)
    if side != "seller":
        raise refuse(dispute.status, data.answer, side)
    now = runtime.clock.now()
    order = await lock_order(session, dispute.order_id)
    actor = actor_for(principal, side)
    message = clean_text(data.message, field="message", label="The message", multiline=True)
    answered = {"answer": data.answer, "answer_message": message, "answered_at": now}
    if data.answer == "accept":
        await resolve(
            session,
            dispute,
            order,
            "accept",
            actor,
            now,
            refund_minor=dispute.claimed_refund_minor,
            outcome="claim_accepted",
            reason=message or "The seller accepted the buyer's claim.",
            runtime=runtime,
            values=answered,
        )
    elif data.answer == "offer":
        if data.amount is None:
            raise Unprocessable(N_("An offer needs the amount of the partial refund."), field="amount")
        offer = refund_amount(data.amount, order, "amount")
        await move(session, dispute, "offer", actor, now, offer_minor=offer, **answered)
        await say(
            session,
            dispute,
            actor,
            f"Offer: a refund of {format_minor(offer, order.currency)}. {message}".strip(),
            now,
            words=Msg(
                "Offer: a refund of {offer}. {message}",
                offer=Money(format_minor(offer, order.currency), order.currency),
                message=message.strip(),
            ),
        )
        await tell(
            session,
            order,
            dispute,
            "buyer",
            kind="dispute_offer",
            title=Msg("the seller offers a partial refund"),
            body=Msg(
                "The seller offers {offer}. {message}\nAccept it, or escalate to an admin.",
                offer=Money(format_minor(offer, order.currency), order.currency),
                message=message.strip(),
            ),
            runtime=runtime,
        )
    else:
        await escalate_now(
            session,
            dispute,
            order,
            "reject",
            actor,
            now,
            why=Msg("the seller rejected the claim. {message}", message=message.strip())
            if message.strip()
            else Msg("the seller rejected the claim."),
            runtime=runtime,
            **answered,
        )
        await say(
            session,
            dispute,
            actor,
            f"Rejected. {message}".strip(),
            now,
            words=Msg("Rejected. {message}", message=message.strip()),
        )
    return await view(session, dispute, side)


async def accept_offer(
    session: AsyncSession, principal: Principal, dispute_id: int, *, runtime: Runtime
) -> schemas.Dispute:
    """The buyer takes the seller's offer: resolved with that refund (also while it waits in the admin queue)."""
    dispute, side = await dispute_for(session, principal, dispute_id)
    if side != "buyer":
        raise refuse(dispute.status, "accept_offer", side)
    if dispute.offer_minor is None:
        raise DisputeStateConflict(
            "The seller has made no offer to accept.", state=dispute.status, allowed=_allowed(dispute, side)
        )
    now = runtime.clock.now()
    order = await lock_order(session, dispute.order_id)
    await resolve(
        session,
        dispute,
        order,
        "accept_offer",
        actor_for(principal, side),
        now,
        refund_minor=dispute.offer_minor,
        outcome="offer_accepted",
        reason="The buyer accepted the seller's offer.",
        runtime=runtime,
    )
    return await view(session, dispute, side)


def _allowed(dispute: Dispute, side: str) -> list[str]:
    return rules.dispute_actions(dispute.status, side)


async def escalate(
    session: AsyncSession, principal: Principal, dispute_id: int, *, runtime: Runtime
) -> schemas.Dispute:
    """The buyer sends the dispute to the admin queue: from the answer deadline, or at once against an offer."""
    dispute, side = await dispute_for(session, principal, dispute_id)
    if side != "buyer":
        raise refuse(dispute.status, "escalate", side)
    now = runtime.clock.now()
    if dispute.status == "open" and now < dispute.answer_due_at:
        raise Conflict(
            Msg(
                "The seller may answer until {answer_due_at}; escalate from then.",
                answer_due_at=When(dispute.answer_due_at),
            ),
            code=ESCALATION_TOO_EARLY,
            title="Too early to escalate",
        )
    order = await lock_order(session, dispute.order_id)
    offered = dispute.status == "offered"
    why = Msg(N_("the buyer turned down the seller's offer.") if offered else N_("the seller did not answer."))
    await escalate_now(
        session,
        dispute,
        order,
        "escalate",
        actor_for(principal, side),
        now,
        why=why,
        runtime=runtime,
    )
    await say(
        session, dispute, actor_for(principal, side), f"Escalated: {why}", now, words=Msg("Escalated: {why}", why=why)
    )
    return await view(session, dispute, side)


async def add_message(
    session: AsyncSession, principal: Principal, dispute_id: int, data: schemas.MessageCreate, *, runtime: Runtime
) -> schemas.Dispute:
    """A message (with evidence) on an unresolved dispute; the other side is told."""
    dispute, side = await dispute_for(session, principal, dispute_id)
    if "message" not in _allowed(dispute, side):
        raise DisputeStateConflict(
            Msg("The dispute is {status}: no more messages.", status=dispute.status),
            state=dispute.status,
            allowed=_allowed(dispute, side),
        )
    body = clean_text(data.body, field="body", label="The message", required=True, multiline=True)
    order = await session.get(Order, dispute.order_id)
    assert order is not None
    evidence_ids = await check_evidence_ids(session, order, data.evidence_ids, field="evidence_ids")
    now = runtime.clock.now()
    await say(session, dispute, actor_for(principal, side), body, now, evidence_ids)
    for other in ("buyer", "seller"):
        if other != side:
            await tell(
                session,
                order,
                dispute,
                other,
                kind="dispute_message",
                title=Msg("a message from the buyer") if side == "buyer" else Msg("a message from the seller"),
                body=body[:500],
                runtime=runtime,
            )
    return await view(session, dispute, side)
