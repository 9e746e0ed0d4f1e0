"""An app that started the embedded redis-server itself (not under `exchange serve`) restarts it too."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from litestar.testing import AsyncTestClient

from exchange.app import create_app
from tests.conftest import make_settings
from tests.support.databases import fresh_database_url
from tests.support.waiting import eventually


def _pid(pid_file: Path) -> int:
    return int(pid_file.read_text())


def _gone(pid: int) -> bool:
    """No such process: a dead child that was reaped (a defunct one still has its /proc entry)."""
    return not Path(f"/proc/{pid}").exists()


async def test_the_app_restarts_the_embedded_redis_server_it_started_and_reaps_the_dead_one(tmp_path: Path) -> None:
    database_url = await asyncio.to_thread(fresh_database_url, "sqlite", tmp_path)
    settings = make_settings(tmp_path / "data", database_url, "", SCHEDULER="off")  # no REDIS_URL: embedded
    pid_file = tmp_path / "data" / "redis" / "redis.pid"
    async with AsyncTestClient(app=create_app(settings)) as client:
        assert (await client.get("/health")).json()["redis_mode"] == "embedded"
        old = _pid(pid_file)
        os.kill(old, signal.SIGKILL)

        async def healthy() -> bool | None:
            return True if (await client.get("/health")).status_code == 200 else None

        await eventually(healthy, within=10, every=0.1)
        new = _pid(pid_file)
        assert new != old
        assert _gone(old)
    assert _gone(new)  # the new one stops with the app
