"""Deadlines as rows: started by the services, closed when the order moves on, fired exactly once by the job.

Firing is safe with any number of workers and hosts: the order row is locked first (the same order
as every transition takes its locks in), then one conditional UPDATE ... WHERE fired_at IS NULL
claims the deadline; only the claimant runs its handler, in the same transaction.

Handlers are looked up by the deadline's name in a mapping the app composes
(`exchange.app.DEADLINE_HANDLERS`): the orders package brings `payment` and `inspection`, the
disputes package adds its own (`dispute_answer`, `admin_decision`) without touching this module.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.errors import DomainError
from exchange.orders import rules
from exchange.orders.models import Order, OrderDeadline

__all__ = ["DeadlineHandler", "close", "close_ended", "fire_due", "open_deadlines", "remind_due", "start"]

log = logging.getLogger("exchange.orders")

DeadlineHandler = Callable[[AsyncSession, Order, datetime], Awaitable[object]]
"""`await handler(session, order, now)`: what happens when a deadline of its name passes (in the claim's
transaction). A DomainError (the order moved on meanwhile) undoes the handler's changes; the deadline
stays fired."""

Reminder = Callable[[AsyncSession, Order, str, datetime], Awaitable[object]]


async def start(
    session: AsyncSession, order_id: int, name: str, due_at: datetime, *, length: timedelta | None = None
) -> OrderDeadline:
    """Start (or restart) deadline `name` of an order; with `length`, a reminder falls due a day before it."""
    remind_at = rules.reminder_at(due_at, length) if length is not None else None
    existing = await session.scalar(
        select(OrderDeadline).where(OrderDeadline.order_id == order_id, OrderDeadline.name == name)
    )
    if existing is not None:
        existing.due_at, existing.remind_at = due_at, remind_at
        existing.fired_at, existing.reminded_at, existing.closed = None, None, False
        await session.flush()
        return existing
    deadline = OrderDeadline(order_id=order_id, name=name, due_at=due_at, remind_at=remind_at)
    session.add(deadline)
    await session.flush()
    return deadline


async def close(session: AsyncSession, order_id: int, names: tuple[str, ...], at: datetime) -> None:
    """End open deadlines without firing them (the order moved on in time)."""
    if names:
        await session.execute(
            update(OrderDeadline)
            .where(OrderDeadline.order_id == order_id, OrderDeadline.name.in_(names), OrderDeadline.fired_at.is_(None))
            .values(fired_at=at, closed=True)
            .execution_options(synchronize_session=False)
        )


async def close_ended(session: AsyncSession, order_id: int, state: str, at: datetime) -> None:
    await close(session, order_id, rules.DEADLINES_ENDED_BY.get(state, ()), at)


async def open_deadlines(session: AsyncSession, order_id: int) -> dict[str, datetime]:
    """{name: due} of the order's deadlines still running."""
    rows = await session.execute(
        select(OrderDeadline.name, OrderDeadline.due_at).where(
            OrderDeadline.order_id == order_id, OrderDeadline.fired_at.is_(None)
        )
    )
    return {name: due for name, due in rows.all()}


async def _lock_order(session: AsyncSession, order_id: int) -> Order | None:
    return await session.scalar(
        select(Order).where(Order.id == order_id).with_for_update().execution_options(populate_existing=True)
    )


async def fire_due(
    session_maker: async_sessionmaker[AsyncSession],
    handlers: Mapping[str, DeadlineHandler],
    now: datetime,
    *,
    limit: int = 200,
) -> list[tuple[int, str]]:
    """Fire every deadline due by `now` whose name has a handler; (order id, name) of those this caller fired."""
    async with session_maker() as session:
        due = (
            await session.execute(
                select(OrderDeadline.id, OrderDeadline.order_id, OrderDeadline.name)
                .where(
                    OrderDeadline.fired_at.is_(None),
                    OrderDeadline.due_at <= now,
                    OrderDeadline.name.in_(list(handlers)),
                )
                .order_by(OrderDeadline.due_at)
                .limit(limit)
            )
        ).all()
    fired: list[tuple[int, str]] = []
    for deadline_id, order_id, name in due:
        try:
            if await _fire_one(session_maker, handlers[name], deadline_id, order_id, now):
                fired.append((order_id, name))
        except Exception as error:  # one bad order must not stop the others; the next tick retries
            log.warning("deadline %s of order %s failed (%s)", name, order_id, type(error).__name__)
    return fired


async def _fire_one(
    session_maker: async_sessionmaker[AsyncSession],
    handler: DeadlineHandler,
    deadline_id: int,
    order_id: int,
    now: datetime,
) -> bool:
    async with session_maker() as session, session.begin():
        order = await _lock_order(session, order_id)
        claimed = await session.execute(
            update(OrderDeadline)
            .where(OrderDeadline.id == deadline_id, OrderDeadline.fired_at.is_(None))
            .values(fired_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(claimed, "rowcount", 0) != 1 or order is None:
            return False
        try:
            async with session.begin_nested():
                await handler(session, order, now)
        except DomainError as refusal:
            log.info("deadline of order %s found it moved on (%s)", order_id, refusal.code)
    return True


async def remind_due(
    session_maker: async_sessionmaker[AsyncSession], remind: Reminder, now: datetime, *, limit: int = 200
) -> int:
    """Send each running deadline's reminder once, when its `remind_at` has come."""
    async with session_maker() as session, session.begin():
        claimed = (
            await session.execute(
                update(OrderDeadline)
                .where(
                    OrderDeadline.reminded_at.is_(None),
                    OrderDeadline.fired_at.is_(None),
                    OrderDeadline.remind_at.is_not(None),
                    OrderDeadline.remind_at <= now,
                )
                .values(reminded_at=now)
                .returning(OrderDeadline.order_id, OrderDeadline.name)
                .execution_options(synchronize_session=False)
            )
        ).all()
        for order_id, name in claimed[:limit]:
            order = await session.get(Order, order_id)
            if order is not None:
                await remind(session, order, name, now)
    return len(claimed)
