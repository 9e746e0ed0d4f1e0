"""The alerts' listener to the catalogue's `LotWentLive`: fan the lot out at once instead of at the next
run of the fan-out job (which would find the same outbox row; the row is claimed once either way)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.alerts.services.fanout import alert_index_for, process_went_live
from exchange.clock import Clock
from exchange.events import Listener
from exchange.live.channels import Live
from exchange.lots.events import LotWentLive

__all__ = ["alert_listeners"]


def alert_listeners(
    session_maker: async_sessionmaker[AsyncSession], live: Live, clock: Clock
) -> dict[type, list[Listener]]:
    """For the app's dispatcher (wired in `exchange.app`)."""

    async def fan_out_now(_event: LotWentLive) -> None:
        alerts = alert_index_for(session_maker)
        if not alerts.index.loaded:  # a fresh worker: its fan-out job loads the index, then sends these
            return
        await process_went_live(session_maker, alerts, live, clock.now(), limit=10)

    return {LotWentLive: [fan_out_now]}
