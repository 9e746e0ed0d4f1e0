"""The catalogue's periodic job: delist fixed-price lots whose listing window has ended unsold."""

from __future__ import annotations

from typing import Any

from exchange.db.base import utcnow
from exchange.lots.events import lot_left_sale
from exchange.lots.services import expire_due_lots
from exchange.scheduler import register_job

__all__ = ["EXPIRE_EVERY_SECONDS"]

EXPIRE_EVERY_SECONDS = 30.0


async def _expire_listings(app_state: Any) -> None:
    async with app_state.session_maker() as session, session.begin():
        expired = await expire_due_lots(session, utcnow(), app_state=app_state)
    await lot_left_sale(app_state, expired, "expired")


register_job("lots.expire-listings", EXPIRE_EVERY_SECONDS, _expire_listings)
