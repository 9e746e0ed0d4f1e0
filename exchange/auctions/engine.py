"""The bid engine: sealed bids and fixed-price purchases decided atomically in Redis, made durable in SQL.

Design
======

Who decides what
----------------
* **Redis decides acceptance.** Every state change that must be atomic is one Lua script
  (`lua/*.lua`): place or revise a bid, withdraw it, claim a fixed-price purchase, claim a close.
  The script checks the lot's state, the deadline against the Redis server clock (`TIME`), the
  bidder's right to bid (seller, private-lot invitation, deposit) and the amount (minimum,
  currency), assigns the bidder's next revision and a per-lot sequence number, and records the
  bid. All keys of lot 42 carry the hash tag `{42}` (`lot:{42}`, `lot:{42}:bids`, ...), so each
  script touches one Redis Cluster slot and runs unchanged on a cluster.
* **SQL is the system of record** (`bids`, `bid_revisions`, `bid_deposits`, `orders`). Redis holds a
  working copy of each lot that is rebuilt from SQL whenever it is missing.

Acknowledged only after durable (group commit)
----------------------------------------------
A bid accepted by its script is handed to the process's journal (`journal.py`), which commits every
bid queued so far in one transaction (one fsync for the whole batch; while one batch commits, the
next gathers). The HTTP answer (201 with the receipt) is sent only after that commit. The writes are
idempotent: `bid_revisions` is keyed by lot + bidder + revision (INSERT ... ON CONFLICT DO NOTHING),
`bids` holds each bidder's latest revision (an upsert that only moves forward). On the embedded
Redis the script's own write is also on disk first (append-only file, `appendfsync always`).

Bids versus the close
---------------------
Each batch transaction first locks its lots (PostgreSQL `FOR SHARE`; SQLite's write lock) and writes
only rows of lots still `live`; the award locks the lot exclusively, flips it out of `live`, and only
then reads the bids. So every bid that was acknowledged is in the award's view, and a bid that Redis
accepted just before the deadline but that reaches SQL after the award is answered 409, not lost.
The award is computed from SQL (the truth), with the pure rules in `rules.py`.

When the two disagree
---------------------
* SQL write fails (database down): the bid is answered 503 and the lot's Redis state is dropped, so
  it is rebuilt from SQL (without that bid) before the next bid. If Redis cannot be reached to drop
  it, the drop is retried in the background, and a replayed Idempotency-Key is only answered from a
  revision that SQL holds.
* Redis lost its data (restart without persistence, FLUSHALL, a new empty server): scripts answer
  "MISSING", and the lot is rebuilt from SQL (`loader.py`) before the bid is retried. A load takes a
  token in Redis before reading SQL; a bid batch that commits during the load deletes that token
  (`confirm_bids.lua`), so a load that may have read SQL too early is refused and reads again. If a
  lot's state was rebuilt between a bid's acceptance and its commit, the confirm step merges the
  committed bid into the new state. Either way no acknowledged bid is missing from Redis.
* Redis down: every bid and purchase call answers 503 with Retry-After (never 500, nothing half
  written). redis-py reconnects by itself; `Script` objects load their script again on NOSCRIPT.

Fixed price
-----------
`purchase.lua` lets exactly one buyer claim the lot. The claimant creates the order through
`orders.services.create_order_for_lot` (the one conditional UPDATE that sells a lot, whatever path
sells it), then confirms the claim; if SQL refuses or fails, the claim is released. A claim left
unconfirmed by a crashed process is reported after `STALE_CLAIM_US` and settled against SQL.

Close
-----
The scheduler (`closing.py`) finds due lots in SQL and in Redis, claims each with `close.lua`
(one claimant among all processes; a stale claim may be taken over), awards in SQL (exactly once:
the lot must still be `live`), then records the final state in Redis with `finish_close.lua`.

Confidentiality
---------------
Amounts and bidders are never logged (only exception class names: database errors carry bound
parameters), never sent in errors or live events (events carry only the public bid count), and are
read back only by their own bidder before the close.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions import refusals
from exchange.auctions.journal import OK, BidJournal, BidWrite, PlacedBid, group_by_lot
from exchange.auctions.loader import LotStateLoader
from exchange.auctions.models import BidDeposit, BidRevision, EngineIdentity
from exchange.auctions.receipts import commitment
from exchange.auctions.scripts import LotKeys, LotScripts, closing_index, redis_guard
from exchange.errors import DomainError, ServiceUnavailable
from exchange.live.channels import lot_channel
from exchange.lots.models import LotInvite
from exchange.money import format_minor

__all__ = ["STALE_CLAIM_US", "BidEngine", "PlacedBid", "known_space"]

log = logging.getLogger("exchange.auctions")

STALE_CLAIM_US = 15_000_000
"""An unconfirmed purchase claim or an unfinished close claim older than this (µs) counts as abandoned."""
HOUSEKEEPING_SECONDS = 0.25
REPLAY_WAIT_SECONDS = 3.0

Publish = Callable[[str, str, dict[str, Any]], None]


_process_space: list[str] = []
"""The key space of this process's database, once an engine has read it (for `bid_counts` given a bare client)."""


def known_space() -> str | None:
    return _process_space[-1] if _process_space else None


async def _database_space(session_maker: async_sessionmaker[AsyncSession]) -> str:
    try:
        return await _read_or_make_space(session_maker)
    except SQLAlchemyError:
        raise database_unavailable() from None


async def _read_or_make_space(session_maker: async_sessionmaker[AsyncSession]) -> str:
    async with session_maker() as session:
        row = await session.get(EngineIdentity, 1)
        if row is not None:
            return f"sx:{row.space}:"
    try:
        async with session_maker() as session, session.begin():
            session.add(EngineIdentity(id=1, space=secrets.token_hex(4)))
    except IntegrityError:
        pass  # another process made it first
    async with session_maker() as session:
        row = await session.get(EngineIdentity, 1)
    if row is None:
        raise database_unavailable()
    return f"sx:{row.space}:"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def database_unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(
        "The bid could not be recorded because the exchange's database is briefly unavailable. "
        "It was not accepted; please try again.",
        code="database_unavailable",
        retry_after=2,
    )


class BidEngine:
    """One per process. `start()` in the app's lifespan; every method is safe to call concurrently."""

    def __init__(
        self, redis: Redis, session_maker: async_sessionmaker[AsyncSession], *, publish: Publish | None = None
    ) -> None:
        self.redis = redis
        self.session_maker = session_maker
        self.scripts = LotScripts(redis)
        self.loader = LotStateLoader(redis, self.scripts, session_maker)
        self.journal = BidJournal(session_maker, self._confirm_writes, self._drop_states)
        self._publish: Publish = publish or (lambda _channel, _event, _data: None)
        self._pending_drops: set[int] = set()
        self._pending_confirms: list[BidWrite] = []
        self._pending_counts: dict[int, int] = {}
        self._housekeeping: asyncio.Task[None] | None = None
        self._space: str | None = None

    # -- lifecycle ---------------------------------------------------------------------------------

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
            with contextlib.suppress(asyncio.CancelledError):
                await self._housekeeping
            self._housekeeping = None
        with contextlib.suppress(DomainError):
            await self._settle_pending()

    async def space(self) -> str:
        """This database's key space in Redis ("sx:<id>:"), read (or made) once from SQL."""
        if self._space is None:
            self._space = await _database_space(self.session_maker)
            _process_space[:] = [self._space]
        return self._space

    async def keys(self, lot_id: int) -> LotKeys:
        return LotKeys(lot_id, await self.space())

    async def _load(self, keys: LotKeys) -> None:
        await self.loader.ensure_loaded(keys, closing_index(keys.space))

    # -- sealed bids -------------------------------------------------------------------------------

    async def place_bid(
        self,
        *,
        lot_id: int,
        bidder_org_id: int,
        amount_minor: int,
        currency: str,
        user_id: int | None = None,
        idempotency_key: str | None = None,
    ) -> PlacedBid:
        """Place or revise the bidder's sealed bid; returns once it is durable. Refusals raise DomainErrors."""
        for _attempt in range(3):
            accepted = await self.accept_bid(
                lot_id=lot_id,
                bidder_org_id=bidder_org_id,
                amount_minor=amount_minor,
                currency=currency,
                user_id=user_id,
                idempotency_key=idempotency_key,
            )
            if isinstance(accepted, PlacedBid):
                return accepted  # the first answer to a repeated Idempotency-Key
            outcome = await self._durable(accepted)
            if outcome == OK:
                self._pending_counts[lot_id] = accepted.bid_count
                return accepted.placed()
            if outcome == "closed":
                raise refusals.bidding_closed()
            # "clash": Redis had diverged from SQL; the state was dropped, so the retry rebuilds it.
        raise refusals.engine_busy()

    async def accept_bid(
        self,
        *,
        lot_id: int,
        bidder_org_id: int,
        amount_minor: int,
        currency: str,
        user_id: int | None = None,
        idempotency_key: str | None = None,
    ) -> BidWrite | PlacedBid:
        """Run place_bid.lua, loading the lot from SQL when Redis lacks it: the accepted bid, NOT yet durable
        (hand it to the journal), or for a repeated Idempotency-Key the durable first answer."""
        keys = await self.keys(lot_id)
        bidder = str(bidder_org_id)
        for attempt in range(4):
            nonce = secrets.token_hex(16)
            reply = await self.scripts.run(
                "place_bid",
                (keys.state, keys.bids, keys.idem, keys.deposits, keys.invited),
                (bidder, amount_minor, currency, nonce, idempotency_key or ""),
            )
            code = _text(reply[0])
            if code == "MISSING":
                await self._load(keys)
                continue
            if code == "NO_DEPOSIT" and attempt == 0 and await self._resync_deposit(lot_id, bidder_org_id):
                continue
            if code == "NOT_FOUND" and attempt == 0 and await self._invited_since(lot_id, bidder_org_id):
                continue
            if code == "REPLAY":
                replayed = await self._replayed_bid(lot_id, bidder_org_id, _text(reply[2]), amount_minor)
                if replayed is not None:
                    return replayed
                await self._drop_states({lot_id})  # the first attempt never became durable
                continue
            if code != "OK":
                raise refusals.for_bid(code, [_text(part) for part in reply[1:]], lot_id)
            gen, revision, placed_us, rank_seq, seq = (
                _text(reply[1]),
                int(reply[2]),
                int(reply[3]),
                int(reply[4]),
                int(reply[5]),
            )
            return BidWrite(
                lot_id=lot_id,
                bidder_org_id=bidder_org_id,
                revision=revision,
                kind="bid",
                amount_minor=amount_minor,
                currency=currency,
                placed_at_us=placed_us,
                seq=seq,
                rank_seq=rank_seq,
                nonce=nonce,
                receipt=commitment(
                    lot_id=lot_id,
                    bidder_org_id=bidder_org_id,
                    amount=format_minor(amount_minor, currency) or "0",
                    currency=currency,
                    revision=revision,
                    placed_at_us=placed_us,
                    nonce=nonce,
                ),
                idempotency_key=idempotency_key,
                user_id=user_id,
                gen=gen,
                packed=f"{revision}:{amount_minor}:{placed_us}:{rank_seq}:{nonce}",
                bid_count=int(reply[6]),
            )
        raise refusals.engine_busy()

    async def withdraw_bid(self, *, lot_id: int, bidder_org_id: int, user_id: int | None = None) -> PlacedBid:
        """Withdraw the bidder's current bid (until the close); durable before it returns."""
        keys = await self.keys(lot_id)
        for _attempt in range(4):
            nonce = secrets.token_hex(16)
            reply = await self.scripts.run(
                "withdraw_bid", (keys.state, keys.bids, keys.invited), (str(bidder_org_id), nonce)
            )
            code = _text(reply[0])
            if code == "MISSING":
                await self._load(keys)
                continue
            if code != "OK":
                raise refusals.for_bid(code, [_text(part) for part in reply[1:]], lot_id)
            gen, revision, placed_us, rank_seq, seq, count = (
                _text(reply[1]),
                int(reply[2]),
                int(reply[3]),
                int(reply[4]),
                int(reply[5]),
                int(reply[6]),
            )
            currency = _text(await self._state_field(lot_id, "currency") or b"CNY")
            write = BidWrite(
                lot_id=lot_id,
                bidder_org_id=bidder_org_id,
                revision=revision,
                kind="withdraw",
                amount_minor=None,
                currency=currency,
                placed_at_us=placed_us,
                seq=seq,
                rank_seq=rank_seq,
                nonce=nonce,
                receipt=commitment(
                    lot_id=lot_id,
                    bidder_org_id=bidder_org_id,
                    amount="withdrawn",
                    currency=currency,
                    revision=revision,
                    placed_at_us=placed_us,
                    nonce=nonce,
                ),
                idempotency_key=None,
                user_id=user_id,
                gen=gen,
                packed=f"{revision}::{placed_us}:{rank_seq}:{nonce}",
                bid_count=count,
            )
            outcome = await self._durable(write)
            if outcome == OK:
                self._pending_counts[lot_id] = count
                return write.placed()
            if outcome == "closed":
                raise refusals.bidding_closed()
        raise refusals.engine_busy()

    async def _durable(self, write: BidWrite) -> str:
        try:
            return await self.journal.write(write)
        except DomainError:
            raise
        except Exception:
            raise database_unavailable() from None

    async def _replayed_bid(self, lot_id: int, bidder_org_id: int, packed: str, amount_minor: int) -> PlacedBid | None:
        """The first answer for a repeated Idempotency-Key, once SQL holds it (None: it never became durable)."""
        revision_text, amount_text, *_rest = packed.split(":")
        if amount_text != str(amount_minor) or packed.endswith(":withdraw"):
            raise refusals.idempotency_mismatch()
        revision = int(revision_text)
        deadline = asyncio.get_running_loop().time() + REPLAY_WAIT_SECONDS
        while True:
            async with self.session_maker() as session:
                row = await session.scalar(
                    select(BidRevision).where(
                        BidRevision.lot_id == lot_id,
                        BidRevision.bidder_org_id == bidder_org_id,
                        BidRevision.revision == revision,
                    )
                )
            if row is not None:
                return PlacedBid(
                    lot_id,
                    bidder_org_id,
                    row.revision,
                    row.amount_minor,
                    row.currency,
                    row.placed_at_us,
                    row.receipt,
                    row.nonce,
                )
            if asyncio.get_running_loop().time() > deadline:
                return None
            await asyncio.sleep(0.02)  # the first request may still be in its batch

    async def _resync_deposit(self, lot_id: int, org_id: int) -> bool:
        """Redis says "no deposit": if SQL holds one (its Redis write was lost), put it back; True to retry."""
        async with self.session_maker() as session:
            held = await session.scalar(
                select(BidDeposit.id).where(
                    BidDeposit.lot_id == lot_id, BidDeposit.org_id == org_id, BidDeposit.status == "held"
                )
            )
        if held is None:
            return False
        await self.deposit_added(lot_id, org_id)
        return True

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

    async def deposit_added(self, lot_id: int, org_id: int) -> None:
        """A deposit was committed in SQL: let the org bid (a state not loaded yet reads it from SQL)."""
        keys = await self.keys(lot_id)
        await self.scripts.run("add_deposit", (keys.state, keys.deposits), (str(org_id),))

    # -- purchases, closes and other final states ---------------------------------------------------

    async def claim_purchase(self, lot_id: int, buyer_org_id: int, idempotency_key: str | None) -> tuple[str, Any]:
        """Run purchase.lua (loading the lot when needed): ("OK", (price, claim_us)), ("REPLAY", None) ..."""
        keys = await self.keys(lot_id)
        for attempt in range(4):
            reply = await self.scripts.run(
                "purchase",
                (keys.state, keys.idem, keys.invited),
                (str(buyer_org_id), idempotency_key or "", STALE_CLAIM_US),
            )
            code = _text(reply[0])
            if code == "MISSING":
                await self._load(keys)
                continue
            if code == "OK":
                return code, (int(reply[2]), _text(reply[3]))
            if code == "UNCONFIRMED":
                return code, _text(reply[2])
            if code in ("REPLAY", "SOLD"):
                return code, None
            if code == "NOT_FOUND" and attempt == 0 and await self._invited_since(lot_id, buyer_org_id):
                continue
            raise refusals.for_purchase(code, lot_id)
        raise refusals.engine_busy()

    async def confirm_purchase(self, lot_id: int, buyer_org_id: int) -> None:
        with contextlib.suppress(DomainError):  # the order exists; a lost confirm only delays nothing
            await self.scripts.run("confirm_purchase", ((await self.keys(lot_id)).state,), (str(buyer_org_id),))

    async def release_purchase(
        self, lot_id: int, buyer_org_id: int, claim_us: str, idempotency_key: str | None
    ) -> None:
        keys = await self.keys(lot_id)
        try:
            await self.scripts.run(
                "release_purchase", (keys.state, keys.idem), (str(buyer_org_id), claim_us, idempotency_key or "")
            )
        except DomainError:
            self._pending_drops.add(lot_id)

    async def claim_close(self, lot_id: int) -> tuple[str, str | None]:
        """Run close.lua: ("CLAIMED", token) for exactly one caller; ("NOT_DUE"|"BUSY"|"DONE"|..., None) otherwise."""
        keys = await self.keys(lot_id)
        token = secrets.token_hex(8)
        for _attempt in range(3):
            reply = await self.scripts.run("close", (keys.state,), (token, STALE_CLAIM_US))
            code = _text(reply[0])
            if code == "MISSING":
                await self._load(keys)
                continue
            return code, (token if code == "CLAIMED" else None)
        return "MISSING", None

    async def finish(self, lot_id: int, state: str, outcome: str) -> None:
        """Record a final state in Redis after SQL settled it; no bid or purchase is accepted afterwards."""
        try:
            keys = await self.keys(lot_id)
            await self.scripts.run("finish_close", (keys.state,), (state, outcome))
            async with redis_guard():
                await self.redis.zrem(closing_index(keys.space), str(lot_id))
        except DomainError:
            self._pending_drops.add(lot_id)  # the next load reads the final state from SQL

    async def due_lot_ids(self, now_us: int) -> list[int]:
        """Sealed-bid lots whose close time has passed, by Redis's index of loaded lots."""
        async with redis_guard():
            members = await self.redis.zrangebyscore(
                closing_index(await self.space()), "-inf", now_us, start=0, num=500
            )
        return [int(member) for member in members]

    async def forget_due(self, lot_id: int) -> None:
        with contextlib.suppress(DomainError):
            async with redis_guard():
                await self.redis.zrem(closing_index(await self.space()), str(lot_id))

    async def drop_state(self, lot_id: int) -> None:
        """Forget a lot's Redis state; it is rebuilt from SQL on its next use."""
        await self._drop_states({lot_id})

    async def bid_count(self, lot_id: int) -> int | None:
        raw = await self._state_field(lot_id, "count")
        return int(raw) if raw is not None else None

    # -- internals ---------------------------------------------------------------------------------

    async def _state_field(self, lot_id: int, name: str) -> bytes | None:
        async with redis_guard():
            value = await self.redis.hget((await self.keys(lot_id)).state, name)  # type: ignore[misc]
        return value if isinstance(value, bytes) else None

    async def _confirm_writes(self, writes: list[BidWrite]) -> None:
        """After a commit: make sure each lot's current Redis state holds the committed bids."""
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
                pipe = self.redis.pipeline(transaction=False)
                for lot_id in lot_ids:
                    pipe.delete(*LotKeys(lot_id, self._space or "").all())
                await pipe.execute()
            self._pending_drops.difference_update(lot_ids)
        except DomainError:
            self._pending_drops.update(lot_ids)

    async def _settle_pending(self) -> None:
        if self._pending_drops:
            await self._drop_states(set(self._pending_drops))
        if self._pending_confirms:
            writes, self._pending_confirms = self._pending_confirms, []
            await self._confirm_writes(writes)

    def _flush_counts(self) -> None:
        counts, self._pending_counts = self._pending_counts, {}
        for lot_id, count in counts.items():
            self._publish(lot_channel(lot_id), "bids", {"count": count})

    async def _housekeep(self) -> None:
        """Publish bid counts at most a few times a second, and retry Redis repairs that failed."""
        while True:
            await asyncio.sleep(HOUSEKEEPING_SECONDS)
            try:
                self._flush_counts()
                await self._settle_pending()
            except Exception as error:  # keep going; Redis may be down for a while
                log.warning("bid engine housekeeping failed (%s)", type(error).__name__)
