"""The bid engine's periodic jobs: close due sealed-bid lots, remind watchers of lots closing soon."""

from __future__ import annotations

from typing import Any

from exchange.auctions.closing import close_due_lots, remind_closing_soon
from exchange.auctions.runtime import engine_of, publisher_for
from exchange.scheduler import register_job

__all__ = ["CLOSE_EVERY_SECONDS"]

CLOSE_EVERY_SECONDS = 0.25
"""A lot closes within this (plus the award's few milliseconds) after its closing time."""


async def _close_due_lots(app_state: Any) -> None:
    await close_due_lots(engine_of(app_state), publish=publisher_for(app_state))


async def _remind_closing_soon(app_state: Any) -> None:
    await remind_closing_soon(app_state.session_maker, publish=publisher_for(app_state))


register_job("auctions.close-due-lots", CLOSE_EVERY_SECONDS, _close_due_lots)
register_job("auctions.closing-soon-reminders", 60.0, _remind_closing_soon)
