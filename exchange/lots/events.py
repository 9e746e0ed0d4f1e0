"""In-process hooks between capabilities: the bid engine hears when a lot is sold another way.

Every worker process registers the same listeners at import time, so nothing here is state that
another process needs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["lot_sold_elsewhere", "on_lot_sold_elsewhere"]

LotSoldListener = Callable[[Any, int], Awaitable[None]]
_listeners: list[LotSoldListener] = []


def on_lot_sold_elsewhere(listener: LotSoldListener) -> LotSoldListener:
    """Register `listener(app_state, lot_id)`; used as a decorator by the bid engine."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


async def lot_sold_elsewhere(app_state: Any, lot_id: int) -> None:
    """Tell listeners a lot was sold by a quote or proposal (not by the engine), after the SQL commit."""
    for listener in _listeners:
        await listener(app_state, lot_id)
