"""The order's moves after payment: ship, deliver, accept and settle; and what the clock does at its deadlines.

Each use case loads the order for the caller (404 to third orgs), takes the move through
`transitions.apply` (403/409 from the table), moves the money through `escrow`, starts the next
deadline and tells the other side, all in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.disputes.services.evidence import check_evidence_ids
from exchange.i18n.messages import Money, Msg, When
from exchange.money import format_minor
from exchange.orders import credit, deadlines, escrow, rules, schemas
from exchange.orders.models import Order
from exchange.orders.notices import tell
from exchange.orders.services import load_for, order_facts, order_view
from exchange.orders.transitions import apply, check, facts_of, refuse
from exchange.runtime import Runtime

__all__ = [
    "ORDER_DEADLINE_HANDLERS",
    "accept",
    "accept_and_settle",
    "actor_for",
    "auto_accept",
    "cancel_unpaid",
    "deliver",
    "mark_delivered",
    "remind",
    "ship",
]


def actor_for(principal: Principal, side: str) -> rules.Actor:
    if side == "admin":
        return rules.Actor("admin", f"admin:{principal.user_id}")
    return rules.Actor(side, f"org:{principal.org_id}")


async def _act(
    session: AsyncSession, principal: Principal, order_id: int, action: str
) -> tuple[Order, str, rules.Actor, set[str]]:
    """Load and lock the order for the caller; refuse early (403) a side that never takes the action."""
    order, side = await load_for(session, principal, order_id, lock=True)
    facts = await order_facts(session, order)
    if side not in rules.sides_for(action):
        raise refuse(order, action, side, facts)
    return order, side, actor_for(principal, side), facts


async def ship(
    session: AsyncSession, runtime: Runtime, principal: Principal, order_id: int, data: schemas.ShipIn
) -> schemas.Order:
    """The seller records the shipment: from `paid`, or before payment when the buyer has credit terms."""
    now = runtime.clock.now()
    order, side, actor, facts = await _act(session, principal, order_id, "ship")
    shipment = {
        "carrier": data.carrier,
        "tracking_number": data.tracking_number,
        "packages": data.packages,
        "weight": data.weight,
        "photo_ids": await check_evidence_ids(session, order, data.photo_ids, field="photo_ids"),
        "shipped_at": now.isoformat(),
    }
    values: dict[str, object] = {"shipment": shipment}
    on_credit = order.status == "awaiting_payment" and rules.ON_CREDIT in facts
    due = None
    if on_credit and not await credit.is_overdue(session, order.buyer_org_id, now):
        line = await credit.credit_line(session, order.buyer_org_id)
        assert line is not None
        due = credit.due_date(now, line.net_days)
        values.update(on_credit=True, invoice_due_at=due)
    elif on_credit:
        facts.discard(rules.ON_CREDIT)  # an overdue buyer gets no more goods on credit
    check(order, "ship", side, facts)
    if due is not None:
        amount = await escrow.amount_due(session, order)
        await credit.require_reserve(session, order, amount)
        await escrow.shipped_on_credit(session, order, amount, now)
        await deadlines.start(session, order.id, "invoice", due, length=due - now)
    await apply(session, order, "ship", actor, now, facts=facts, values=values, detail={"carrier": data.carrier})
    await tell(
        session,
        order,
        "buyer",
        kind="order_shipped",
        title=Msg("shipped"),
        body=Msg(
            "The seller shipped with {carrier}, tracking number {tracking}. Confirm delivery when the goods arrive.",
            carrier=data.carrier,
            tracking=data.tracking_number,
        ),
        runtime=runtime,
    )
    return await order_view(session, order, side)


async def _delivered(
    session: AsyncSession,
    runtime: Runtime,
    order: Order,
    action: str,
    actor: rules.Actor,
    detail: dict[str, object],
    values: dict[str, object] | None = None,
) -> datetime:
    now = runtime.clock.now()
    await apply(session, order, action, actor, now, detail=detail, values=values)
    window = runtime.settings.orders.inspection_window
    due = now + window
    await deadlines.start(session, order.id, "inspection", due, length=window)
    return due


async def deliver(session: AsyncSession, runtime: Runtime, principal: Principal, order_id: int) -> schemas.Order:
    """The buyer confirms delivery: the inspection window opens."""
    order, side, actor, _facts = await _act(session, principal, order_id, "deliver")
    due = await _delivered(session, runtime, order, "deliver", actor, {})
    await tell(
        session,
        order,
        "seller",
        kind="order_delivered",
        title=Msg("delivered"),
        body=Msg("The buyer confirmed delivery. The inspection window runs until {due}.", due=When(due)),
        runtime=runtime,
    )
    return await order_view(session, order, side)


async def mark_delivered(
    session: AsyncSession, runtime: Runtime, principal: Principal, order_id: int, data: schemas.MarkDeliveredIn
) -> schemas.Order:
    """The seller marks the order delivered with proof; the buyer is told and its inspection window opens."""
    order, side, actor, _facts = await _act(session, principal, order_id, "mark_delivered")
    photo_ids = await check_evidence_ids(session, order, data.photo_ids, field="photo_ids")
    detail: dict[str, object] = {"proof": data.proof, "photo_ids": photo_ids}
    proof = {"delivery_proof": data.proof, "delivery_photo_ids": photo_ids}
    shipment = {**(order.shipment or {}), **proof}
    due = await _delivered(session, runtime, order, "mark_delivered", actor, detail, {"shipment": shipment})
    await tell(
        session,
        order,
        "buyer",
        kind="order_marked_delivered",
        title=Msg("marked delivered by the seller"),
        body=Msg(
            "The seller says the goods were delivered ({proof}). Inspect them: objections are possible until {due}, "
            "after which the order is accepted and the seller paid.",
            proof=data.proof,
            due=When(due),
        ),
        runtime=runtime,
    )
    return await order_view(session, order, side)


async def accept_and_settle(
    session: AsyncSession, order: Order, action: str, actor: rules.Actor, at: datetime, facts: set[str] | None = None
) -> escrow.FeeSplit:
    """Accepted (by the buyer or the clock) and settled in the same transaction: the seller gets its net and the
    platform its fee, and the order's escrow ends at zero. The money moves first; the compare-and-set of the
    acceptance still decides a race (the loser's transaction, money included, rolls back)."""
    check(order, action, actor.side, facts if facts is not None else facts_of(order))
    split = await escrow.settle(session, order, at)
    await apply(session, order, action, actor, at, facts=facts)
    await apply(session, order, "settle", rules.Actor.system(), at)
    return split


async def _accepted(session: AsyncSession, order: Order, runtime: Runtime | None, *, by_clock: bool) -> None:
    net = (await escrow.fees_for(session, order)).seller_net
    how = Msg("The inspection window ended without objection") if by_clock else Msg("The buyer accepted the goods")
    await tell(
        session,
        order,
        "seller",
        kind="order_settled",
        title=Msg("accepted and settled"),
        body=Msg(
            "{how}. {net} is payable to you.", how=how, net=Money(format_minor(net, order.currency), order.currency)
        ),
        runtime=runtime,
    )
    if by_clock:
        await tell(
            session,
            order,
            "buyer",
            kind="order_settled",
            title=Msg("accepted automatically"),
            body=Msg("The inspection window ended without objection: the order was accepted and the seller paid."),
            runtime=runtime,
        )


async def accept(session: AsyncSession, runtime: Runtime, principal: Principal, order_id: int) -> schemas.Order:
    """The buyer accepts the goods: the order is settled in the same transaction."""
    now = runtime.clock.now()
    order, side, actor, facts = await _act(session, principal, order_id, "accept")
    await accept_and_settle(session, order, "accept", actor, now, facts)
    await _accepted(session, order, runtime, by_clock=False)
    return await order_view(session, order, side)


# --- the clock's moves (deadline handlers) -------------------------------------------------------


async def auto_accept(session: AsyncSession, order: Order, now: datetime) -> None:
    """The inspection window ended without objection: accepted, and settled at once."""
    await accept_and_settle(session, order, "auto_accept", rules.Actor.clock(), now)
    await _accepted(session, order, None, by_clock=True)


async def cancel_unpaid(session: AsyncSession, order: Order, now: datetime) -> None:
    """The payment deadline passed: cancelled; the buyer's bid deposit goes to the seller less the fee."""
    check(order, "cancel_unpaid", "clock", facts_of(order))
    forfeited = await escrow.deposit_forfeited(session, order, now)
    await apply(session, order, "cancel_unpaid", rules.Actor.clock(), now)
    deposit = Money(format_minor(forfeited, order.currency), order.currency)
    kept = Msg(" The bid deposit of {deposit} is forfeited.", deposit=deposit) if forfeited else ""
    await tell(
        session,
        order,
        "buyer",
        kind="order_cancelled",
        title=Msg("cancelled for non-payment"),
        body=Msg("The payment deadline passed without payment, so the order was cancelled.{kept}", kept=kept),
    )
    yours = Msg(" The bid deposit of {deposit} is yours, less the fee.", deposit=deposit) if forfeited else ""
    runner_up = (
        Msg(" You may offer the lot to the next bidder from the order page.")
        if order.source in ("award", "runner_up")
        else ""
    )
    await tell(
        session,
        order,
        "seller",
        kind="order_cancelled",
        title=Msg("cancelled for non-payment"),
        body=Msg(
            "The buyer did not pay in time, so the order was cancelled.{yours}{runner_up}",
            yours=yours,
            runner_up=runner_up,
        ),
    )


ORDER_DEADLINE_HANDLERS: dict[str, deadlines.DeadlineHandler] = {
    "payment": cancel_unpaid,
    "inspection": auto_accept,
}
"""The orders package's deadline handlers; `exchange.app` adds the disputes package's to these."""

_REMINDERS = {
    "payment": (
        "payment_due_soon",
        Msg("payment due within a day"),
        Msg("Pay within a day or the order is cancelled."),
    ),
    "inspection": (
        "inspection_ends_soon",
        Msg("inspection window ends within a day"),
        Msg(
            "Object within a day if the goods are not as listed; after that the order is accepted and the seller paid."
        ),
    ),
    "invoice": ("invoice_due_soon", Msg("invoice due within a day"), Msg("Pay the invoice before it falls due.")),
    "dispute_answer": (
        "dispute_answer_due_soon",
        Msg("dispute answer due within a day"),
        Msg("Answer the buyer's dispute."),
    ),
}


async def remind(session: AsyncSession, order: Order, name: str, now: datetime) -> None:
    """The reminder a day before deadline `name`, to the side that has to act."""
    side = rules.REMINDED_SIDE.get(name)
    text = _REMINDERS.get(name)
    if side is None or text is None:
        return
    kind, title, body = text
    await tell(session, order, side, kind=kind, title=title, body=body)
