"""The orders' one call site into the audit log: every state change of an order appends a record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.audit import record
from exchange.orders import rules
from exchange.orders.models import Order

__all__ = ["order_changed"]


async def order_changed(
    session: AsyncSession,
    order: Order,
    action: str,
    actor: rules.Actor,
    at: datetime,
    *,
    before: str,
    changes: dict[str, Any],
) -> None:
    """Append the audit record of `order` moving from `before` by `action` (in the caller's transaction)."""
    after = {key: value for key, value in changes.items() if key != "updated_at"}
    await record(
        session,
        actor=actor.ref,
        object_type="order",
        object_id=order.id,
        action=action,
        before={"status": before},
        after=after,
        at=at,
    )
