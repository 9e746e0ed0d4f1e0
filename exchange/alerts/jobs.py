"""The alerts' periodic jobs: fan out lots that went live, send daily digests, give slow-sale advice.

Each is safe in every worker at once: the fan-out claims each outbox row by a conditional UPDATE, the
digest claims each org's day by one, and the slow-sale check fires each lot's advice by one."""

from __future__ import annotations

from exchange.alerts.services.digest import send_due_digests
from exchange.alerts.services.fanout import alert_index_for, process_went_live
from exchange.alerts.services.slow_sale import advise_slow_lots
from exchange.runtime import Runtime
from exchange.scheduler import Job

__all__ = ["DIGEST_EVERY_SECONDS", "FAN_OUT_EVERY_SECONDS", "JOBS", "SLOW_SALE_EVERY_SECONDS"]

FAN_OUT_EVERY_SECONDS = 1.0
DIGEST_EVERY_SECONDS = 300.0
SLOW_SALE_EVERY_SECONDS = 60.0


async def fan_out(runtime: Runtime) -> None:
    await process_went_live(
        runtime.session_maker, alert_index_for(runtime.session_maker), runtime.live, runtime.clock.now()
    )


async def digest(runtime: Runtime) -> None:
    await send_due_digests(runtime.session_maker, runtime.live, runtime.clock.now())


async def slow_sale(runtime: Runtime) -> None:
    await advise_slow_lots(runtime.session_maker, runtime.live, runtime.clock.now())


JOBS = (
    Job("alerts.fan-out", FAN_OUT_EVERY_SECONDS, fan_out),
    Job("alerts.daily-digest", DIGEST_EVERY_SECONDS, digest),
    Job("alerts.slow-sale", SLOW_SALE_EVERY_SECONDS, slow_sale),
)
