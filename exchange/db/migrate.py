"""Run the Alembic migrations programmatically (used by `exchange migrate`, serve and the tests)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from alembic import command
from alembic.config import Config

__all__ = ["alembic_config", "upgrade_database"]


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "exchange.db:migrations")
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_database(database_url: str, revision: str = "heads") -> None:
    """Upgrade to `revision`. Alembic's env runs its own event loop, so from inside a running loop
    (an async test fixture, say) the upgrade runs in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        command.upgrade(alembic_config(database_url), revision)
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(command.upgrade, alembic_config(database_url), revision).result()
