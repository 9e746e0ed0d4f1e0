"""Group commit of accepted bids to SQL: the durable half of "acknowledged only after durable".

Each process has one journal task. Callers append a write and await its future; the task takes every
write queued so far (up to `max_batch`) and commits them in ONE transaction, so a burst of bids pays
for one fsync instead of one each. While a batch commits, the next one gathers.

In the transaction (`batch_transaction.py`, run by `writers.py`; on SQLite in a child process,
`sqlite_journal.py`), the lots are first locked (PostgreSQL: `SELECT ... FOR SHARE`; SQLite: `BEGIN
IMMEDIATE`, which takes the database's write lock) and only rows of lots still `live` are written. The
award takes the same lock before reading bids, so every bid committed here is either seen by the award
or refused as "closed" — never acknowledged and then left out.

Rows: `bid_revisions` gets one row per revision (INSERT ... ON CONFLICT DO NOTHING on lot + bidder +
revision, then a check of which rows went in); `bids` gets the latest revision per bidder (upsert that only
moves forward). A revision that already exists with other content means Redis had diverged from SQL:
that lot's rows are dropped from the batch, the lot's Redis state is dropped (rebuilt from SQL on next
use) and the caller retries. The same happens to a row whose Idempotency-Key its org already used on
another lot (the key's index is per org), except that its caller gets "key_reused" (a 422), not a retry.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.batch import CLASH, CLOSED, KEY_REUSED, OK, BidWrite, Clash, RevisionId
from exchange.auctions.writers import writer_for

__all__ = ["BidJournal"]

log = logging.getLogger("exchange.auctions")


class BidJournal:
    """The per-process group-commit writer; `await journal.write(w)` returns "ok", "closed", "clash" or
    "key_reused"."""

    def __init__(
        self,
        session_maker: async_sessionmaker[AsyncSession],
        confirm: Callable[[list[BidWrite]], Coroutine[Any, Any, None]],
        drop_states: Callable[[set[int]], Awaitable[None]],
        *,
        max_batch: int = 1000,
    ) -> None:
        self.session_maker = session_maker
        self._writer = writer_for(session_maker)
        self._confirm = confirm
        self._drop_states = drop_states
        self.max_batch = max_batch
        self._queue: list[BidWrite] = []
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._confirming: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._closing = False
            self._task = asyncio.create_task(self._run(), name="bid-journal")

    async def stop(self) -> None:
        """Commit what is queued, then stop."""
        self._closing = True
        self._wakeup.set()
        if self._task is not None:
            await asyncio.wait({self._task})  # (a cancellation of `stop` itself is not swallowed)
        self._task = None
        await self.confirmed()
        await self._writer.close()
        self._writer = writer_for(self.session_maker)  # ready should the journal be started again

    async def write(self, item: BidWrite) -> str:
        if self._task is None or self._task.done():
            self.start()
        item.future = asyncio.get_running_loop().create_future()
        self._queue.append(item)
        self._wakeup.set()
        return await item.future

    async def _run(self) -> None:
        try:  # so that the first bid does not wait for the writer process to start
            await self._writer.open()
        except Exception as error:  # the first batch tries again
            log.warning("bid journal: writer not ready (%s)", type(error).__name__)
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._queue:
                batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
                try:
                    await self._commit(batch)
                except Exception as error:  # never let the writer die: fail this batch, keep serving
                    # Only the class: database error texts carry the bound parameters (bid amounts).
                    log.error("bid journal: batch of %d failed (%s)", len(batch), type(error).__name__)
                    for item in batch:
                        if not item.future.done():
                            item.future.set_exception(error)
            if self._closing and not self._queue:
                return

    async def _commit(self, batch: list[BidWrite]) -> None:
        clashed: set[int] = set()
        reused: set[RevisionId] = set()
        live: set[int] = set()
        try:
            remaining = batch
            while remaining:
                live, clashed_now, reused_now = await self._write(remaining)
                if not clashed_now:
                    break
                # Redis had diverged for these lots: write the other lots' rows without them.
                clashed |= clashed_now
                reused |= reused_now
                remaining = [item for item in remaining if item.lot_id not in clashed]
        except Exception as error:
            log.warning("bid journal: database write failed (%s)", type(error).__name__)
            # Redis accepted these bids but SQL does not have them: drop the lots' states so that
            # they are rebuilt from SQL (the truth) before the next bid.
            await self._drop_states({item.lot_id for item in batch})
            for item in batch:
                item.future.set_exception(error)
            return
        stale = {item.lot_id for item in batch if item.lot_id not in live or item.lot_id in clashed}
        if stale:
            await self._drop_states(stale)
        committed = [item for item in batch if item.lot_id in live and item.lot_id not in clashed]
        for item in batch:
            if item.future.done():
                continue
            if (item.lot_id, item.bidder_org_id, item.revision) in reused:
                item.future.set_result(KEY_REUSED)
            elif item.lot_id in clashed:
                item.future.set_result(CLASH)
            elif item.lot_id in live:
                item.future.set_result(OK)
            else:
                item.future.set_result(CLOSED)
        if committed:
            # After the answers: the bids are durable, and the confirm only repairs a Redis state that
            # was rebuilt meanwhile. It runs beside the next commit; one at a time.
            await self.confirmed()
            self._confirming = asyncio.create_task(self._confirm(committed), name="bid-journal-confirm")

    async def confirmed(self) -> None:
        """Wait until the confirm of the last committed batch has run."""
        confirming, self._confirming = self._confirming, None
        if confirming is not None:
            try:
                await confirming
            except Exception as error:  # the confirm queues its own retries; this is only a report
                log.warning("bid journal: confirm failed (%s)", type(error).__name__)

    async def _write(self, batch: list[BidWrite]) -> tuple[set[int], set[int], set[RevisionId]]:
        """One transaction: (lots written, lots whose revisions clashed — then nothing was written, rows
        whose Idempotency-Key was used on another lot)."""
        try:
            live, _none = await self._writer.write(batch)
        except Clash as clash:
            return clash.live, clash.clashed, clash.reused
        return live, set(), set()
