"""`apply`: the one way an order changes state, enforcing `rules.TRANSITIONS`.

Each move is one conditional UPDATE (compare-and-set on the status the caller saw), so of two racing
actions (the buyer accepting while the inspection window closes) exactly one changes the order; the
other is refused with 409 and changes nothing. The move appends a timeline row and an audit record,
and closes the deadlines the new state ends, all in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from exchange.errors import Conflict, Forbidden
from exchange.orders import audit_trail, deadlines, rules
from exchange.orders.errors import WRONG_SIDE, WRONG_STATE
from exchange.orders.models import Order, OrderEvent

__all__ = ["IllegalAction", "apply", "check", "facts_of", "record_event", "refuse"]


class IllegalAction(Conflict):
    """409: the order's state does not allow the action; the answer names the state and what is allowed."""

    def __init__(self, detail: str, *, state: str, allowed: list[str]) -> None:
        super().__init__(detail, code=WRONG_STATE, title="Not allowed in this state")
        self.state = state
        self.allowed = allowed

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body = super().problem(instance)
        body["state"] = self.state
        body["allowed_actions"] = self.allowed
        return body


def facts_of(order: Order, *, has_credit_line: bool = False) -> set[str]:
    """The facts the table's conditional rows look at (credit terms)."""
    if order.on_credit and order.invoice_paid_at is None:
        return {rules.ON_CREDIT}
    if has_credit_line and order.status == "awaiting_payment":
        return {rules.ON_CREDIT}
    return set()


def refuse(order: Order, action: str, side: str, facts: Iterable[str] = ()) -> Conflict | Forbidden:
    """The refusal for `side` taking `action` on `order` now: 403 if that side never may, else 409."""
    if side not in rules.sides_for(action):
        return Forbidden(
            f"The {side} of an order never takes the action {action!r}.", code=WRONG_SIDE, title="Not your action"
        )
    allowed = rules.allowed_actions(order.status, side, facts)
    said = ", ".join(allowed) if allowed else "none"
    return IllegalAction(
        f"The order is {order.status.replace('_', ' ')}: {action.replace('_', ' ')} is not possible now. "
        f"Allowed for you: {said}.",
        state=order.status,
        allowed=allowed,
    )


async def record_event(
    session: AsyncSession, order: Order, action: str, actor: rules.Actor, at: datetime, detail: dict[str, Any] | None
) -> None:
    session.add(
        OrderEvent(order_id=order.id, action=action, status=order.status, at=at, by=actor.ref, detail=detail or {})
    )


def check(order: Order, action: str, side: str, facts: Iterable[str] = ()) -> rules.Transition:
    """The table's row for `side` taking `action` on `order` as loaded, or the 403/409 refusal.

    Services check first, move the money, then `apply` (whose compare-and-set still decides a race: the
    loser's transaction, money included, rolls back). The audit record is then the transaction's last lock.
    """
    row = rules.transition_for(action, order.status, side, facts)
    if row is None:
        raise refuse(order, action, side, facts)
    return row


async def apply(
    session: AsyncSession,
    order: Order,
    action: str,
    actor: rules.Actor,
    at: datetime,
    *,
    facts: Iterable[str] | None = None,
    detail: dict[str, Any] | None = None,
    values: dict[str, Any] | None = None,
) -> Order:
    """Move `order` by `action` taken by `actor` at `at`, or raise 403/409 changing nothing.

    `facts` defaults to what the order row says (`facts_of`); `values` are further columns set by the
    same UPDATE (the shipment, the credit flag). An action that is not a move (`pay`) is only checked.
    """
    have = set(facts_of(order) if facts is None else facts)
    row = check(order, action, actor.side, have)
    if not row.target:
        return order
    before = order.status
    changes = {"status": row.target, "updated_at": at, **(values or {})}
    result = await session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status == before)
        .values(**changes)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        current = await session.scalar(
            select(Order.status).where(Order.id == order.id).execution_options(populate_existing=True)
        )
        set_committed_value(order, "status", current or before)
        raise refuse(order, action, actor.side, have)
    for name, value in changes.items():
        set_committed_value(order, name, value)
    await record_event(session, order, action, actor, at, detail)
    await deadlines.close_ended(session, order.id, row.target, at)
    await audit_trail.order_changed(session, order, action, actor, at, before=before, changes=changes)
    return order
