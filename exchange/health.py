"""GET /health: is the database up, is Redis up."""

from __future__ import annotations

import msgspec
from litestar import Response, get
from litestar.datastructures import State
from sqlalchemy import text

__all__ = ["HealthOut", "health"]


class HealthOut(msgspec.Struct):
    status: str
    database: str
    redis: str
    redis_mode: str


@get("/health", tags=["system"], summary="Database and Redis status", cache=False)
async def health(state: State) -> Response[HealthOut]:
    database = redis_status = "up"
    try:
        async with state.session_maker() as db:
            await db.execute(text("SELECT 1"))
    except Exception:  # any failure means "down" here; the detail is in the server log
        database = "down"
    try:
        await state.redis.ping()
    except Exception:
        redis_status = "down"
    ok = database == "up" and redis_status == "up"
    body = HealthOut(
        status="ok" if ok else "degraded",
        database=database,
        redis=redis_status,
        redis_mode="embedded" if state.settings.redis.embedded else "external",
    )
    return Response(body, status_code=200 if ok else 503)
