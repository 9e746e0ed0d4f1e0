"""The search benchmark's SQLite database, built fast: the migrated schema, then the synthetic lots written the
way a bulk load is (one transaction, no journal, the secondary indexes dropped during the load and created
again from their own `CREATE INDEX` statements after it, the term rows staged and copied into `lot_terms` in
its primary-key order), so the file holds the same schema and rows as one the services wrote, built in sorted
passes instead of a million random B-tree inserts."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event

from benchmarks._synthetic_lots import load_lots
from exchange.db.migrate import upgrade_database

__all__ = ["build_sqlite", "cpu_seconds"]

_TABLES = ("lots", "lot_terms", "lot_spec_values", "lot_invites")
_BUILD_PRAGMAS = (
    "PRAGMA journal_mode=OFF",  # the build is all or nothing: a failed build is thrown away
    "PRAGMA synchronous=OFF",
    "PRAGMA locking_mode=EXCLUSIVE",
    "PRAGMA cache_size=-1048576",  # 1 GB for the index builds' sorts and the copies
    "PRAGMA threads=2",  # CREATE INDEX and ORDER BY sort with a helper thread (CPU time counts both)
)


def cpu_seconds() -> float:
    """CPU seconds of this process and its ended children (the helper making the rows)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def build_sqlite(database_path: Path, lots: int, *, clock: Any = time) -> None:
    """Migrate a fresh database at `database_path` and load `lots` synthetic lots into it, printing the phases."""
    url = f"sqlite:///{database_path}"
    print(f"Migrating a fresh SQLite database at {database_path} ...")
    upgrade_database(f"sqlite+aiosqlite:///{database_path}")
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _bulk(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in _BUILD_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    started = clock.perf_counter()
    with engine.begin() as connection:
        listed = ", ".join(f"'{table}'" for table in _TABLES)
        indexes = connection.exec_driver_sql(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({listed})"  # noqa: S608
        ).all()
        for name, _sql in indexes:
            connection.exec_driver_sql(f'DROP INDEX "{name}"')
        connection.exec_driver_sql(
            "CREATE TEMP TABLE staged_terms (term TEXT NOT NULL, lot_id INTEGER NOT NULL, category TEXT NOT NULL)"
        )
        print(f"Inserting {lots:,} lots with their spec values and terms ...")
        load_lots(connection, lots, terms_table="temp.staged_terms")
        print(f"  rows in {clock.perf_counter() - started:.1f} s; copying the terms in index order ...")
        connection.exec_driver_sql(
            "INSERT INTO lot_terms (term, lot_id, category) SELECT term, lot_id, category FROM temp.staged_terms"
            " ORDER BY term, lot_id"
        )
        connection.exec_driver_sql("DROP TABLE temp.staged_terms")
        print(f"  terms in {clock.perf_counter() - started:.1f} s; creating {len(indexes)} indexes ...")
        for _name, sql in indexes:
            connection.exec_driver_sql(sql)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA optimize=0x10002")
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")  # as the exchange runs it
        connection.commit()
    engine.dispose()
