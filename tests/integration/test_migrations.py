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
from exchange.idempotency import fingerprint


def _on_this_dialect(dialect: str) -> Any:
    """Leave out of the comparison the models' objects made for another database only (`Index(...).ddl_if`)."""

    def include(item: Any, _name: Any, _type: str, _reflected: bool, _compare_to: Any) -> bool:
        only = getattr(getattr(item, "_ddl_if", None), "dialect", None)
        return only is None or only == dialect

    return include


async def _differences(url: str) -> list[Any]:
    engine = create_async_engine(url)
    options = {"compare_type": True, "include_object": _on_this_dialect(engine.dialect.name)}
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync, opts=options), Base.metadata)
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


def test_kept_idempotent_answers_move_to_one_table_and_back_on_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "answers.db"
    url = f"sqlite+aiosqlite:///{path}"
    command.upgrade(alembic_config(url), "0007_auctions_lighter")
    when = "2026-11-20 09:00:00.000000"
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute(
            "INSERT INTO orgs (id, name, kind, verified, created_at) VALUES (7, 'Buyer', 'buyer', 1, ?)", (when,)
        )
        connection.executemany(
            "INSERT INTO idempotency_keys (org_id, scope, key, status_code, response, created_at) "
            "VALUES (7, ?, ?, 201, ?, ?)",
            [
                ("purchase:41", "k-1", '{"id": 1, "lot_id": 41}', when),
                ("purchase:42", "k-2", '{"id": 2, "lot_id": 42}', when),
                ("purchase:43", "k-2", '{"id": 3, "lot_id": 43}', when),  # the old table allowed a key per lot
            ],
        )
        connection.execute(
            "INSERT INTO rfq_idempotency_keys (org_id, key, route, request_hash, status_code, body, created_at) "
            "VALUES (7, 'k-1', 'rfq.accept', 'abc', 201, '{\"id\": 9}', ?)",
            (when,),
        )

    upgrade_database(url)
    with closing(sqlite3.connect(path)) as connection:
        moved = connection.execute(
            "SELECT scope, key, request_hash, body FROM idempotent_answers ORDER BY scope, key"
        ).fetchall()
    assert moved == [
        ("purchase", "k-1", fingerprint(41), '{"id": 1, "lot_id": 41}'),
        ("purchase", "k-2", fingerprint(42), '{"id": 2, "lot_id": 42}'),  # the first of the repeats
        ("rfq.accept", "k-1", "abc", '{"id": 9}'),
    ]
    assert asyncio.run(_differences(url)) == []

    command.downgrade(alembic_config(url), "0007_auctions_lighter")
    with closing(sqlite3.connect(path)) as connection:
        purchases = connection.execute("SELECT scope, key FROM idempotency_keys ORDER BY key").fetchall()
        accepts = connection.execute("SELECT route, key, request_hash FROM rfq_idempotency_keys").fetchall()
    assert purchases == [("purchase:41", "k-1"), ("purchase:42", "k-2")]
    assert accepts == [("rfq.accept", "k-1", "abc")]


def test_bid_keys_used_on_several_lots_keep_their_first_use_when_keys_become_per_org_on_sqlite(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bid-keys.db"
    url = f"sqlite+aiosqlite:///{path}"
    command.upgrade(alembic_config(url), "0008_idempotent_answers")
    with closing(sqlite3.connect(path)) as connection, connection:  # foreign keys are off on a plain connection
        connection.executemany(
            "INSERT INTO bid_revisions (id, lot_id, bidder_org_id, revision, kind, amount_minor, currency, "
            "placed_at_us, seq, rank_seq, receipt, nonce, idempotency_key) "
            "VALUES (?, ?, 7, 1, 'bid', 30000, 'CNY', 1, 1, 1, ?, 'n', ?)",
            [(1, 66, "r1", "K"), (2, 64, "r2", "K"), (3, 65, "r3", "other"), (4, 63, "r4", None)],
        )
    upgrade_database(url)
    with closing(sqlite3.connect(path)) as connection:
        keys = connection.execute("SELECT lot_id, idempotency_key FROM bid_revisions ORDER BY id").fetchall()
    assert keys == [(66, "K"), (64, None), (65, "other"), (63, None)]
    assert asyncio.run(_differences(url)) == []
    command.downgrade(alembic_config(url), "0008_idempotent_answers")
    assert "uq_bid_revisions_idempotency" in _indexes(path)
