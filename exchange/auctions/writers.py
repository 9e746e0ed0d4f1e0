# ruff: noqa: S608 -- the SQL text here is built from constant column names and "?" placeholders only.
"""The journal's database writers: one transaction per batch of bids, and the lot lock it shares with the award.

* PostgreSQL (asyncpg): the app's async engine. The batch takes `SELECT ... FOR SHARE` on its lots, so
  an award (`FOR UPDATE`) waits for batches in flight, and later batches see the lot closed.
* SQLite: a dedicated sqlite3 connection driven from one worker thread, so a whole batch is a single
  hand-off to that thread instead of a dozen round trips through aiosqlite (and sqlite3 releases the
  GIL while it works); the transaction starts with `BEGIN IMMEDIATE`, which takes the database's
  write lock at once and so serialises it with every award and sale.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.models import Bid, BidRevision
from exchange.db.wal import WalCheckpointer
from exchange.lots.models import Lot

if TYPE_CHECKING:
    from exchange.auctions.journal import BidWrite

__all__ = ["CURRENT_COLUMNS", "REVISION_COLUMNS", "BatchWriter", "Clash", "lock_live_lots", "writer_for"]

REVISION_COLUMNS = (
    "lot_id",
    "bidder_org_id",
    "revision",
    "kind",
    "amount_minor",
    "currency",
    "placed_at_us",
    "seq",
    "rank_seq",
    "receipt",
    "nonce",
    "idempotency_key",
    "placed_by_user_id",
)
CURRENT_COLUMNS = (
    "lot_id",
    "bidder_org_id",
    "revision",
    "amount_minor",
    "currency",
    "placed_at_us",
    "rank_seq",
    "receipt",
    "nonce",
    "placed_by_user_id",
)


_UPDATED_ON_REVISION = CURRENT_COLUMNS[2:]
"""Columns of `bids` that a newer revision replaces (all but the key)."""


class Clash(Exception):
    """Some revisions already existed in SQL with other content (Redis had diverged): nothing was written."""

    def __init__(self, live: set[int], clashed: set[int]) -> None:
        super().__init__("revision clash")
        self.live = live
        self.clashed = clashed


class BatchWriter(Protocol):
    async def write(self, batch: list[BidWrite]) -> tuple[set[int], set[int]]:
        """Commit the rows of live lots in one transaction: (live lot ids, clashed lot ids = empty)."""

    async def close(self) -> None: ...


async def lock_live_lots(session: AsyncSession, lot_ids: Sequence[int], *, exclusive: bool = False) -> dict[int, Any]:
    """Lock lots against a concurrent close or sale for this transaction; returns the live ones by id.

    Must be the transaction's first statement. On SQLite the no-op UPDATE takes the write lock, which
    serialises this transaction with every other writer; on PostgreSQL the row locks do, and the
    award's UPDATE waits for bid batches holding a share lock (and they for it).
    """
    ids = sorted(set(lot_ids))
    columns = (Lot.id, Lot.seller_org_id, Lot.currency, Lot.reserve_price_minor, Lot.second_price, Lot.min_bid_minor)
    if session.get_bind().dialect.name == "postgresql":
        query = (
            select(*columns)
            .where(Lot.id.in_(ids), Lot.status == "live")
            .order_by(Lot.id)
            .with_for_update(read=not exclusive)
        )
        rows = (await session.execute(query)).all()
    else:
        statement = (
            update(Lot)
            .where(Lot.id.in_(ids), Lot.status == "live")
            .values(status=Lot.status, updated_at=Lot.updated_at)
            .returning(*columns)
            .execution_options(synchronize_session=False)
        )
        rows = (await session.execute(statement)).all()
    return {row[0]: row for row in rows}


def _revision_insert(insert: Any) -> Any:
    table = BidRevision.__table__
    return insert(table).on_conflict_do_nothing().returning(table.c.lot_id, table.c.bidder_org_id, table.c.revision)


def _current_upsert(insert: Any) -> Any:
    table = Bid.__table__
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c.lot_id, table.c.bidder_org_id],
        set_={name: statement.excluded[name] for name in _UPDATED_ON_REVISION},
        where=table.c.revision < statement.excluded.revision,
    )


def _clashed(rows: list[BidWrite], written: set[tuple[int, int, int]]) -> set[int]:
    return {item.lot_id for item in rows if (item.lot_id, item.bidder_org_id, item.revision) not in written}


def _latest(rows: list[BidWrite]) -> list[BidWrite]:
    """Each bidder's newest revision in the batch (one upsert row per key: PostgreSQL requires it)."""
    latest: dict[tuple[int, int], BidWrite] = {}
    for item in rows:
        key = (item.lot_id, item.bidder_org_id)
        if key not in latest or latest[key].revision < item.revision:
            latest[key] = item
    return list(latest.values())


class AsyncSqlWriter:
    """Any database through the app's async engine (used for PostgreSQL)."""

    def __init__(self, session_maker: async_sessionmaker[AsyncSession], dialect: str) -> None:
        self.session_maker = session_maker
        self.insert = postgresql.insert if dialect == "postgresql" else sqlite.insert

    async def write(self, batch: list[BidWrite]) -> tuple[set[int], set[int]]:
        async with self.session_maker() as session, session.begin():
            live = set(await lock_live_lots(session, [item.lot_id for item in batch]))
            rows = [item for item in batch if item.lot_id in live]
            if not rows:
                return live, set()
            result = await session.execute(_revision_insert(self.insert), [item.revision_row() for item in rows])
            clashed = _clashed(rows, {(row[0], row[1], row[2]) for row in result.all()})
            if clashed:
                raise Clash(live, clashed)  # rolls the whole transaction back
            await session.execute(_current_upsert(self.insert), [item.current_row() for item in _latest(rows)])
        return live, set()

    async def close(self) -> None:
        return None


_MAX_VARIABLES = 32766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999
_REVISIONS_PER_STATEMENT = max(1, min(500, _MAX_VARIABLES // len(REVISION_COLUMNS)))
_CURRENT_PER_STATEMENT = max(1, min(500, _MAX_VARIABLES // len(CURRENT_COLUMNS)))
_REVISION_ROW = "(" + ", ".join("?" * len(REVISION_COLUMNS)) + ")"
_CURRENT_ROW = "(" + ", ".join("?" * len(CURRENT_COLUMNS)) + ")"
_INSERT_REVISIONS = f"INSERT INTO bid_revisions ({', '.join(REVISION_COLUMNS)}) VALUES {{rows}} ON CONFLICT DO NOTHING"
_UPSERT_CURRENT = (
    f"INSERT INTO bids ({', '.join(CURRENT_COLUMNS)}) VALUES {{rows}} "
    "ON CONFLICT (lot_id, bidder_org_id) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in _UPDATED_ON_REVISION)
    + " WHERE bids.revision < excluded.revision"
)
_STORED_RECEIPTS = (
    "SELECT lot_id, bidder_org_id, revision, receipt FROM bid_revisions "
    "WHERE lot_id IN ({lots}) AND bidder_org_id IN ({bidders})"
)


def _insert_all(
    connection: sqlite3.Connection, template: str, row: str, rows: list[tuple[Any, ...]], size: int
) -> None:
    """Multi-row INSERTs: one statement (one sqlite3 step) per `size` rows."""
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        connection.execute(template.format(rows=", ".join([row] * len(chunk))), [v for r in chunk for v in r])


class SqliteThreadWriter:
    """SQLite through one plain sqlite3 connection on one thread: a whole batch is one hand-off, and the
    statements (written out for the tables in models.py, all integer and text columns) skip SQLAlchemy's
    per-row work. `BEGIN IMMEDIATE` takes the write lock first, like the award's transaction.

    The thread must win the GIL back from the busy event loop after every sqlite3 step (up to the 5 ms
    switch interval each time), so a batch is a handful of steps whatever its size: the live lots in
    one row (group_concat), multi-row INSERTs without RETURNING (which steps once per row), and the
    count of changes to tell that every revision went in. Only when one did not (Redis had diverged,
    rare) are the clashing rows looked up."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bid-journal")
        self._checkpoints = WalCheckpointer(path)

    async def write(self, batch: list[BidWrite]) -> tuple[set[int], set[int]]:
        written = await asyncio.get_running_loop().run_in_executor(self._thread, self._write, batch)
        self._checkpoints.after_write()
        return written

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        # synchronous=FULL: a commit is on disk before it returns. wal_autocheckpoint=0: this connection's
        # commits never run a checkpoint; the WalCheckpointer does, on its own thread (exchange/db/wal.py).
        pragmas = (
            "journal_mode=WAL",
            "synchronous=FULL",
            "foreign_keys=ON",
            "busy_timeout=10000",
            "wal_autocheckpoint=0",
        )
        for pragma in pragmas:
            connection.execute(f"PRAGMA {pragma}")
        return connection

    def _write(self, batch: list[BidWrite]) -> tuple[set[int], set[int]]:
        connection = self._connection = self._connection or self._connect()
        ids = sorted({item.lot_id for item in batch})
        try:
            connection.execute("BEGIN IMMEDIATE")
            placeholders = ", ".join("?" * len(ids))
            query = f"SELECT group_concat(id) FROM lots WHERE status = 'live' AND id IN ({placeholders})"
            (listed,) = connection.execute(query, ids).fetchone()
            live = {int(lot_id) for lot_id in listed.split(",")} if listed else set()
            rows = [item for item in batch if item.lot_id in live]
            if rows:
                before = connection.total_changes
                revisions = [item.revision_values() for item in rows]
                _insert_all(connection, _INSERT_REVISIONS, _REVISION_ROW, revisions, _REVISIONS_PER_STATEMENT)
                if connection.total_changes - before != len(rows):
                    raise Clash(live, self._clashed(connection, rows))
                current = [item.current_values() for item in _latest(rows)]
                _insert_all(connection, _UPSERT_CURRENT, _CURRENT_ROW, current, _CURRENT_PER_STATEMENT)
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            if not isinstance(sys.exc_info()[1], Clash):
                connection.close()  # start from a fresh connection next time
                self._connection = None
            raise
        return live, set()

    @staticmethod
    def _clashed(connection: sqlite3.Connection, rows: list[BidWrite]) -> set[int]:
        """Lots with a row that did not go in: its revision (or its Idempotency-Key) was already taken by
        another acceptance. A row of this batch is in the table with its own receipt, which is unique."""
        lots = sorted({item.lot_id for item in rows})
        bidders = sorted({item.bidder_org_id for item in rows})
        query = _STORED_RECEIPTS.format(lots=", ".join("?" * len(lots)), bidders=", ".join("?" * len(bidders)))
        stored = {(row[0], row[1], row[2], row[3]) for row in connection.execute(query, [*lots, *bidders])}
        return {
            item.lot_id for item in rows if (item.lot_id, item.bidder_org_id, item.revision, item.receipt) not in stored
        }

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._thread, self._close)
        self._thread.shutdown(wait=True)
        await asyncio.to_thread(self._checkpoints.close)


def writer_for(session_maker: async_sessionmaker[AsyncSession]) -> BatchWriter:
    bind: Any = session_maker.kw.get("bind")
    url: URL | None = getattr(bind, "url", None)
    if url is not None and url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return SqliteThreadWriter(str(url.database))
    return AsyncSqlWriter(session_maker, url.get_backend_name() if url is not None else "sqlite")
