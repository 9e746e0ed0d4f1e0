"""The inspection window: open from delivery until the order's `inspection` deadline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.disputes.errors import INSPECTION_WINDOW_CLOSED
from exchange.errors import Conflict
from exchange.i18n.messages import Msg, When
from exchange.orders.models import Order, OrderDeadline

__all__ = ["INSPECTABLE", "require_window"]

INSPECTABLE = ("delivered", "inspecting")


async def require_window(session: AsyncSession, order: Order, now: datetime) -> None:
    """409 when a delivered order's inspection window has ended (other states are the transition table's to refuse)."""
    if order.status not in INSPECTABLE:
        return
    deadline = await session.scalar(
        select(OrderDeadline).where(OrderDeadline.order_id == order.id, OrderDeadline.name == "inspection")
    )
    if deadline is not None and (deadline.fired_at is not None or deadline.due_at <= now):
        raise Conflict(
            Msg(
                "The inspection window of order {order_id} ended at {due_at}.",
                order_id=order.id,
                due_at=When(deadline.due_at),
            ),
            code=INSPECTION_WINDOW_CLOSED,
            title="Inspection window closed",
        )
