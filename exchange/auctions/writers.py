"""The journal's database writers: one transaction per batch of bids, and the lot lock it shares with the award.

Both run the one batch transaction (`batch_transaction.commit_batch`):

* PostgreSQL (asyncpg): on the app's async engine, through `AsyncConnection.run_sync`.
* SQLite: in a child process that owns one sqlite3 connection (`sqlite_journal.py`), so a whole batch is
  one hand-off over a pipe, and its sqlite3 steps run on a GIL of their own; the transaction starts
  with `BEGIN IMMEDIATE`, which takes the database's write lock at once and so serialises it with
  every award and sale.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from typing import Any, Protocol

import msgspec
from sqlalchemy import select, update
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from exchange.auctions.batch import BidWrite, Clash
from exchange.auctions.batch_transaction import commit_batch
from exchange.auctions.sqlite_journal import FRAME_HEADER, frame, frame_size
from exchange.lots.models import Lot

__all__ = ["BatchWriter", "JournalWriterFailed", "lock_live_lots", "writer_for"]


class BatchWriter(Protocol):
    async def open(self) -> None:
        """Get ready before the first batch (the SQLite writer starts its process: its imports take a while)."""

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


class AsyncSqlWriter:
    """The batch transaction on the app's async engine (PostgreSQL)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def open(self) -> None:
        return None

    async def write(self, batch: list[BidWrite]) -> tuple[set[int], set[int]]:
        rows = [item.revision_values() for item in batch]
        async with self.engine.begin() as connection:
            if connection.dialect.name == "sqlite":  # an SQLite without a file: take the write lock first
                await connection.exec_driver_sql("BEGIN IMMEDIATE")
            live = await connection.run_sync(commit_batch, rows)
        return live, set()

    async def close(self) -> None:
        return None


CHILD_EXIT_SECONDS = 10.0
"""How long a writer process may take to finish its last batch and end, once its stdin is closed."""


class JournalWriterFailed(Exception):
    """The SQLite writer process could not commit a batch (the batch is not acknowledged)."""


class SqliteProcessWriter:
    """SQLite through a child process (`sqlite_journal`) that owns the journal's sqlite3 connection.

    A batch is one frame out and one frame back on the child's pipes, read by the event loop: no thread
    of this process takes part, so the commit's sqlite3 steps never wait for the GIL (which the busy loop
    holds) and never take it from the loop. The child starts on the first batch and again after it died;
    a batch whose answer was lost with it fails (the caller's bid is not acknowledged)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._process: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()

    async def _child(self) -> asyncio.subprocess.Process:
        if self._process is None or self._process.returncode is not None:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "exchange.auctions.sqlite_journal",
                self.path,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
        return self._process

    async def open(self) -> None:
        async with self._lock:
            await self._child()

    async def write(self, batch: list[BidWrite]) -> tuple[set[int], set[int]]:
        request = frame([item.revision_values() for item in batch])
        async with self._lock:
            child = await self._child()
            assert child.stdin is not None
            assert child.stdout is not None
            try:
                child.stdin.write(request)
                await child.stdin.drain()
                size = frame_size(await child.stdout.readexactly(FRAME_HEADER))
                answer = msgspec.msgpack.decode(await child.stdout.readexactly(size))
            except BaseException as error:  # its state is unknown now (cancelled, or the child died)
                await self._stop_child(kill=True)
                if isinstance(error, ConnectionError | asyncio.IncompleteReadError):
                    raise JournalWriterFailed("the SQLite writer process ended") from None
                raise
        if answer[0] != "ok":
            raise JournalWriterFailed(f"SQLite error in the writer process: {answer[1]}")
        live, clashed = set(answer[1]), set(answer[2])
        if clashed:
            raise Clash(live, clashed, {(lot, bidder, revision) for lot, bidder, revision in answer[3]})
        return live, set()

    async def _stop_child(self, *, kill: bool = False) -> None:
        child, self._process = self._process, None
        if child is None or child.returncode is not None:
            return
        if kill:
            child.kill()
        elif child.stdin is not None:
            child.stdin.close()  # the child commits nothing more and ends
        try:
            await asyncio.wait_for(child.wait(), CHILD_EXIT_SECONDS)
        except TimeoutError:
            child.kill()
            await child.wait()

    async def close(self) -> None:
        async with self._lock:
            await self._stop_child()


def writer_for(session_maker: async_sessionmaker[AsyncSession]) -> BatchWriter:
    bind: Any = session_maker.kw.get("bind")
    url: URL | None = getattr(bind, "url", None)
    if url is not None and url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return SqliteProcessWriter(str(url.database))
    if not isinstance(bind, AsyncEngine):
        raise TypeError("the bid journal needs a session maker bound to an async engine")
    return AsyncSqlWriter(bind)
