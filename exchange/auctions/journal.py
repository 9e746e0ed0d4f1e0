"""Group commit of accepted bids to SQL: the durable half of "acknowledged only after durable".

Each process has one journal task. Callers append a write and await its future; the task takes every
write queued so far (up to `max_batch`) and commits them in ONE transaction, so a burst of bids pays
for one fsync instead of one each. While a batch commits, the next one gathers.

In the transaction, the lots are first locked (PostgreSQL: `SELECT ... FOR SHARE`; SQLite: a no-op
UPDATE, which takes the database's write lock) and only rows of lots still `live` are written. The
award takes the same lock before reading bids, so every bid committed here is either seen by the
award or refused as "closed" — never acknowledged and then left out.

Rows: `bid_revisions` gets one row per revision (INSERT ... ON CONFLICT DO NOTHING on lot + bidder +
revision, RETURNING which rows went in); `bids` gets the latest revision per bidder (upsert that only
moves forward). A revision that already exists with other content means Redis had diverged from SQL:
that lot's rows are dropped from the batch, the lot's Redis state is dropped (rebuilt from SQL on next
use) and the caller retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.models import Bid, BidRevision
from exchange.auctions.receipts import micros_to_datetime
from exchange.lots.models import Lot

__all__ = ["BidJournal", "BidWrite", "lock_live_lots"]

log = logging.getLogger("exchange.auctions")

OK, CLOSED, CLASH = "ok", "closed", "clash"


@dataclass(slots=True)
class BidWrite:
    """One accepted bid action waiting to become durable."""

    lot_id: int
    bidder_org_id: int
    revision: int
    kind: str  # bid | withdraw
    amount_minor: int | None
    currency: str
    placed_at_us: int
    seq: int
    rank_seq: int
    nonce: str
    receipt: str
    idempotency_key: str | None
    user_id: int | None
    gen: str
    packed: str
    future: asyncio.Future[str] = field(default_factory=lambda: asyncio.get_running_loop().create_future())

    def revision_row(self) -> dict[str, Any]:
        return {
            "lot_id": self.lot_id,
            "bidder_org_id": self.bidder_org_id,
            "revision": self.revision,
            "kind": self.kind,
            "amount_minor": self.amount_minor,
            "currency": self.currency,
            "placed_at": micros_to_datetime(self.placed_at_us),
            "placed_at_us": self.placed_at_us,
            "seq": self.seq,
            "rank_seq": self.rank_seq,
            "receipt": self.receipt,
            "nonce": self.nonce,
            "idempotency_key": self.idempotency_key,
            "placed_by_user_id": self.user_id,
        }

    def current_row(self) -> dict[str, Any]:
        return {
            "lot_id": self.lot_id,
            "bidder_org_id": self.bidder_org_id,
            "revision": self.revision,
            "amount_minor": self.amount_minor,
            "currency": self.currency,
            "placed_at": micros_to_datetime(self.placed_at_us),
            "placed_at_us": self.placed_at_us,
            "rank_seq": self.rank_seq,
            "receipt": self.receipt,
            "nonce": self.nonce,
            "placed_by_user_id": self.user_id,
        }


def _insert_for(session: AsyncSession) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


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


class _Clash(Exception):
    def __init__(self, live: set[int], clashed: set[int]) -> None:
        super().__init__("revision clash")
        self.live = live
        self.clashed = clashed


class BidJournal:
    """The per-process group-commit writer; `await journal.write(w)` returns "ok", "closed" or "clash"."""

    def __init__(
        self,
        session_maker: async_sessionmaker[AsyncSession],
        confirm: Callable[[list[BidWrite]], Awaitable[None]],
        drop_states: Callable[[set[int]], Awaitable[None]],
        *,
        max_batch: int = 1000,
    ) -> None:
        self.session_maker = session_maker
        self._confirm = confirm
        self._drop_states = drop_states
        self.max_batch = max_batch
        self._queue: list[BidWrite] = []
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._closing = False
            self._task = asyncio.create_task(self._run(), name="bid-journal")

    async def stop(self) -> None:
        """Commit what is queued, then stop."""
        self._closing = True
        self._wakeup.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    async def write(self, item: BidWrite) -> str:
        if self._task is None or self._task.done():
            self.start()
        self._queue.append(item)
        self._wakeup.set()
        return await item.future

    async def _run(self) -> None:
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
        live: set[int] = set()
        try:
            remaining = batch
            while remaining:
                live, clashed_now = await self._write(remaining)
                if not clashed_now:
                    break
                # Redis had diverged for these lots: write the other lots' rows without them.
                clashed |= clashed_now
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
        if committed:
            await self._confirm(committed)
        for item in batch:
            if item.future.done():
                continue
            if item.lot_id in clashed:
                item.future.set_result(CLASH)
            elif item.lot_id in live:
                item.future.set_result(OK)
            else:
                item.future.set_result(CLOSED)

    async def _write(self, batch: list[BidWrite]) -> tuple[set[int], set[int]]:
        """One transaction: (lots written, lots whose revisions clashed — then nothing was written)."""
        try:
            return await self._write_once(batch)
        except _Clash as clash:
            return clash.live, clash.clashed

    async def _write_once(self, batch: list[BidWrite]) -> tuple[set[int], set[int]]:
        async with self.session_maker() as session, session.begin():
            live = set(await lock_live_lots(session, [item.lot_id for item in batch]))
            rows = [item for item in batch if item.lot_id in live]
            if not rows:
                return live, set()
            insert = _insert_for(session)
            table = BidRevision.__table__
            statement = (
                insert(table)
                .on_conflict_do_nothing()
                .returning(table.c.lot_id, table.c.bidder_org_id, table.c.revision)
            )
            result = await session.execute(statement, [item.revision_row() for item in rows])
            written = {(row[0], row[1], row[2]) for row in result.all()}
            clashed = {item.lot_id for item in rows if (item.lot_id, item.bidder_org_id, item.revision) not in written}
            if clashed:
                raise _Clash(live, clashed)  # rolls the whole transaction back
            latest: dict[tuple[int, int], BidWrite] = {}
            for item in rows:
                key = (item.lot_id, item.bidder_org_id)
                if key not in latest or latest[key].revision < item.revision:
                    latest[key] = item
            bids = Bid.__table__
            upsert = insert(bids)
            upsert = upsert.on_conflict_do_update(
                index_elements=[bids.c.lot_id, bids.c.bidder_org_id],
                set_={
                    name: upsert.excluded[name]
                    for name in (
                        "revision",
                        "amount_minor",
                        "currency",
                        "placed_at",
                        "placed_at_us",
                        "rank_seq",
                        "receipt",
                        "nonce",
                        "placed_by_user_id",
                    )
                },
                where=bids.c.revision < upsert.excluded.revision,
            )
            await session.execute(upsert, [item.current_row() for item in latest.values()])
        return live, set()


def group_by_lot(writes: Sequence[BidWrite]) -> dict[tuple[int, str], list[BidWrite]]:
    grouped: dict[tuple[int, str], list[BidWrite]] = defaultdict(list)
    for item in writes:
        grouped[(item.lot_id, item.gen)].append(item)
    return grouped
