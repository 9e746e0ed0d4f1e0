"""Alembic's migrations build exactly the schema the models describe, and step down and up again."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

import exchange.app  # noqa: F401  (imports every model)
from exchange.db.base import Base
from exchange.db.migrate import alembic_config, upgrade_database


async def _differences(url: str) -> list[Any]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
                )
            )
    finally:
        await engine.dispose()


async def test_the_migrated_database_matches_the_models(database_url: str) -> None:
    assert await _differences(database_url) == []


def _indexes(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as connection:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_the_lighter_bid_revision_indexes_step_down_and_up_on_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "steps.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade_database(url)
    command.downgrade(alembic_config(url), "0006_auctions")
    assert "ix_bid_revisions_bidder_org_id" in _indexes(path)
    upgrade_database(url)
    assert "ix_bid_revisions_bidder_org_id" not in _indexes(path)
    assert "uq_bid_revisions_idempotency" in _indexes(path)
    assert asyncio.run(_differences(url)) == []
