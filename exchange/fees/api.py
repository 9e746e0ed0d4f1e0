"""Fee schedules JSON API (admins): list every version, add a version."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.guards import current_principal, requires_admin
from exchange.fees import schemas, services
from exchange.runtime import Runtime

__all__ = ["FeeSchedulesController"]


class FeeSchedulesController(Controller):
    path = "/api/admin/fee-schedules"
    tags = ["fees"]
    guards = [requires_admin]

    @get("/", summary="Every fee schedule version, by category, newest first (admin)")
    async def list_schedules(self, db_session: AsyncSession, runtime: Runtime) -> list[schemas.FeeSchedule]:
        return await services.versions_out(db_session, runtime.clock.now())

    @post("/", status_code=201, summary="Add a fee schedule version for a category, now or later (admin)")
    async def create_schedule(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, data: schemas.FeeScheduleIn
    ) -> schemas.FeeSchedule:
        now = runtime.clock.now()
        row = await services.create_from_input(db_session, data, at=now, created_by=current_principal(request).user_id)
        return services.version_out(row, {row.id} if row.effective_from <= now else set())
