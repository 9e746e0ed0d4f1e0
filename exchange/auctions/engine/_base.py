"""The engine's state and plumbing: key space, lifecycle, the confirm and drop repairs, housekeeping."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from exchange.auctions.batch import BidWrite, group_by_lot
from exchange.auctions.batching import ScriptBatcher
from exchange.auctions.engine._space import database_space, database_unavailable, remember_space
from exchange.auctions.journal import BidJournal
from exchange.auctions.loader import LotStateLoader
from exchange.auctions.scripts import LotKeys, LotScripts, closing_index, engine_unavailable, redis_guard
from exchange.errors import DomainError
from exchange.live.channels import lot_channel
from exchange.lots.models import LotInvite
from exchange.orders.overdue_checks import OverdueChecks
from exchange.redis.routing import AppRedis, send_commands

__all__ = ["HOUSEKEEPING_SECONDS", "EngineBase", "PublishMany", "text"]

log = logging.getLogger("exchange.auctions")

HOUSEKEEPING_SECONDS = 0.25

PublishMany = Callable[[Sequence[tuple[str, str, dict[str, Any]]]], Awaitable[None]]
"""Publish several (channel, event, data) at once; never raises (live events are best effort)."""


async def _publish_nowhere(_events: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
    return None


def text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class EngineBase:
    """State shared by the engine's parts; see the package docstring for the design."""

    def __init__(
        self,
        redis: AppRedis,
        session_maker: async_sessionmaker[AsyncSession],
        *,
        publish_many: PublishMany | None = None,
    ) -> None:
        self.redis = redis
        self.session_maker = session_maker
        self.scripts = LotScripts(redis)
        self.bid_scripts = ScriptBatcher(self.scripts, "place_bid")
        self.loader = LotStateLoader(redis, self.scripts, session_maker)
        self.journal = BidJournal(session_maker, self._confirm_writes, self._drop_states)
        bind = session_maker.kw.get("bind")
        if not isinstance(bind, AsyncEngine):
            raise TypeError("the bid engine needs a session maker bound to an async engine")
        self.overdue_checks = OverdueChecks(bind)
        """The overdue-invoice check of every bid, batched (`orders.overdue_checks`)."""
        self._publish_many: PublishMany = publish_many or _publish_nowhere
        self._pending_drops: set[int] = set()
        self._pending_confirms: list[BidWrite] = []
        self._pending_counts: dict[int, tuple[int, int]] = {}
        """Lot id -> (version, bid count) of its newest durable bid since the last flush."""
        self._housekeeping: asyncio.Task[None] | None = None
        self._space: str | None = None
        self._keys: dict[int, LotKeys] = {}

    @property
    def publish_many(self) -> PublishMany:
        """Where this engine's live events go (the app's `Live.publish_many`)."""
        return self._publish_many

    async def start(self) -> None:
        with contextlib.suppress(Exception):  # resolved again on first use if the database is not up yet
            await self.space()
        self.journal.start()
        if self._housekeeping is None or self._housekeeping.done():
            self._housekeeping = asyncio.create_task(self._housekeep(), name="bid-engine-housekeeping")

    async def stop(self) -> None:
        await self.journal.stop()
        if self._housekeeping is not None:
            self._housekeeping.cancel()
            await asyncio.wait({self._housekeeping})  # (a cancellation of `stop` itself is not swallowed)
            self._housekeeping = None
        with contextlib.suppress(DomainError):
            await self._settle_pending()

    async def space(self) -> str:
        """This database's key space in Redis ("sx:<id>:"), read (or made) once from SQL."""
        if self._space is None:
            self._space = await database_space(self.session_maker)
            remember_space(self._space)
        return self._space

    async def keys(self, lot_id: int) -> LotKeys:
        keys = self._keys.get(lot_id)
        if keys is None:
            if len(self._keys) > 50_000:
                self._keys.clear()
            keys = self._keys[lot_id] = LotKeys(lot_id, await self.space())
        return keys

    async def _load(self, keys: LotKeys) -> None:
        await self.loader.ensure_loaded(keys, closing_index(keys.space, keys.lot_id))

    async def _durable(self, write: BidWrite) -> str:
        try:
            return await self.journal.write(write)
        except DomainError:
            raise
        except Exception:
            raise database_unavailable() from None

    async def _state_field(self, lot_id: int, name: str) -> bytes | None:
        async with redis_guard():
            value = await self.redis.hget((await self.keys(lot_id)).state, name)  # type: ignore[misc]
        return value if isinstance(value, bytes) else None

    async def _unconfirmed(self, writes: list[BidWrite]) -> list[BidWrite]:
        """The writes that need a confirm: those whose lot state is no longer the one that accepted them
        (its generation, the lot's own rebuild mark, changed or is gone: the state was dropped or rebuilt
        meanwhile, maybe without them). Usually none. One HGET per lot, in one round trip per master."""
        lots = {write.lot_id: LotKeys(write.lot_id, self._space or "").state for write in writes}
        states = list(lots.values())
        async with redis_guard():
            replies = await send_commands(self.redis, [("HGET", state, "gen") for state in states], states)
        gens = {lot: None if isinstance(reply, Exception) else reply for lot, reply in zip(lots, replies, strict=True)}
        return [write for write in writes if gens[write.lot_id] is None or text(gens[write.lot_id]) != write.gen]

    async def _confirm_writes(self, writes: list[BidWrite]) -> None:
        """After a commit: make sure each lot's current Redis state holds the committed bids."""
        try:
            writes = await self._unconfirmed(writes)
        except DomainError:
            self._pending_confirms.extend(writes)
            return
        if not writes:
            return
        calls = []
        for (lot_id, gen), items in group_by_lot(writes).items():
            keys = LotKeys(lot_id, self._space or "")
            args: list[Any] = [gen]
            for item in items:
                args.extend((item.bidder_org_id, item.packed, item.seq))
            calls.append(((keys.state, keys.bids, keys.loading), args))
        try:
            await self.scripts.run_many("confirm_bids", calls)
        except DomainError:
            # The bids are durable; Redis will hear of them once it answers again (housekeeping).
            self._pending_confirms.extend(writes)

    async def _drop_states(self, lot_ids: set[int]) -> None:
        if not lot_ids:
            return
        try:
            async with redis_guard():
                keys = [LotKeys(lot_id, self._space or "").all() for lot_id in lot_ids]
                replies = await send_commands(
                    self.redis, [("DEL", *lot_keys) for lot_keys in keys], [k[0] for k in keys]
                )
            if any(isinstance(reply, Exception) for reply in replies):
                raise engine_unavailable()
            self._pending_drops.difference_update(lot_ids)
        except DomainError:
            self._pending_drops.update(lot_ids)

    async def _settle_pending(self) -> None:
        if self._pending_drops:
            await self._drop_states(set(self._pending_drops))
        if self._pending_confirms:
            writes, self._pending_confirms = self._pending_confirms, []
            await self._confirm_writes(writes)

    def _count_changed(self, write: BidWrite) -> None:
        """Note a durable bid's new count for the next flush, unless a newer one (a higher `seq`) is noted."""
        noted = self._pending_counts.get(write.lot_id)
        if noted is None or noted[0] < write.seq:
            self._pending_counts[write.lot_id] = (write.seq, write.bid_count)

    async def _flush_counts(self) -> None:
        """The new bid count of every lot that had bids since the last flush, all in one round trip.

        Each carries its `version`: the lot's bid sequence in Redis (`seq` of place_bid.lua), which only
        grows, also across a rebuild of the lot's state from SQL (it restarts from the highest seq stored).
        Several processes publish counts of one lot, so events may arrive out of order: a subscriber keeps
        the count of the highest version it has seen (`exchange.live.streams` drops older ones)."""
        counts, self._pending_counts = self._pending_counts, {}
        if counts:
            events = [
                (lot_channel(lot_id), "bids", {"count": count, "version": version})
                for lot_id, (version, count) in counts.items()
            ]
            await self._publish_many(events)

    async def _housekeep(self) -> None:
        """Publish bid counts at most a few times a second, and retry Redis repairs that failed."""
        while True:
            await asyncio.sleep(HOUSEKEEPING_SECONDS)
            try:
                await self._flush_counts()
                await self._settle_pending()
            except Exception as error:  # keep going; Redis may be down for a while
                log.warning("bid engine housekeeping failed (%s)", type(error).__name__)

    async def _invited_since(self, lot_id: int, org_id: int) -> bool:
        """Redis says "not invited": if SQL now invites the org (invited after the state was loaded),
        drop the state so that it is rebuilt with the invitation; True to retry."""
        async with self.session_maker() as session:
            invited = await session.scalar(
                select(LotInvite.org_id).where(LotInvite.lot_id == lot_id, LotInvite.org_id == org_id)
            )
        if invited is None:
            return False
        await self._drop_states({lot_id})
        return True
