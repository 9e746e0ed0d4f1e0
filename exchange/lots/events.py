"""In-process hooks between capabilities: the bid engine hears when a lot stops being for sale another way.

Every worker process registers the same listeners at import time, so nothing here is state that
another process needs. Callers raise an event only after the SQL change is committed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["lot_left_sale", "lot_sold_elsewhere", "on_lot_left_sale", "on_lot_sold_elsewhere"]

log = logging.getLogger("exchange.lots")

LotSoldListener = Callable[[Any, int], Awaitable[None]]
LotLeftListener = Callable[[Any, int, str], Awaitable[None]]
_sold_listeners: list[LotSoldListener] = []
_left_listeners: list[LotLeftListener] = []


def on_lot_sold_elsewhere(listener: LotSoldListener) -> LotSoldListener:
    """Register `listener(app_state, lot_id)`; used as a decorator by the bid engine."""
    if listener not in _sold_listeners:
        _sold_listeners.append(listener)
    return listener


def on_lot_left_sale(listener: LotLeftListener) -> LotLeftListener:
    """Register `listener(app_state, lot_id, status)`; used as a decorator by the bid engine."""
    if listener not in _left_listeners:
        _left_listeners.append(listener)
    return listener


async def lot_sold_elsewhere(app_state: Any, lot_id: int) -> None:
    """Tell listeners a lot was sold by a quote or proposal (not by the engine), after the SQL commit."""
    for listener in _sold_listeners:
        await listener(app_state, lot_id)


async def lot_left_sale(app_state: Any, lot_ids: list[int], status: str) -> None:
    """Tell listeners lots left `live` unsold (withdrawn, expired), after the SQL commit.

    Best effort: the database already refuses bids and purchases on them; the listeners only make the
    refusal immediate. A listener that fails is logged, never raised to the seller or the job.
    """
    if app_state is None:
        return
    for lot_id in lot_ids:
        for listener in _left_listeners:
            try:
                await listener(app_state, lot_id, status)
            except Exception as error:
                log.warning("lot %s left sale; a listener failed (%s)", lot_id, type(error).__name__)
