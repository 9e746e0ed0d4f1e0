"""(Re)building a lot's Redis state from SQL, the system of record.

Called lazily whenever a script answers "MISSING": the first time a lot is used, after Redis lost its
data (restart without persistence, FLUSHALL, a replacement server) and after the engine dropped a
state it could no longer trust. A lot is rebuilt before any new bid on it is accepted.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.models import Bid, BidDeposit, BidRevision
from exchange.auctions.receipts import parse_micros
from exchange.auctions.scripts import LotKeys, LotScripts, engine_unavailable, redis_guard
from exchange.db.engine import read_one_snapshot
from exchange.errors import DATABASE_UNAVAILABLE, ServiceUnavailable
from exchange.lots.errors import lot_not_found
from exchange.lots.models import Lot, LotInvite
from exchange.lots.visibility import UNLISTED
from exchange.orders.models import Order
from exchange.redis.routing import AppRedis

__all__ = ["LotSnapshot", "LotStateLoader", "pack_bid", "read_snapshot"]

LOAD_TOKEN_MS = 5_000


def pack_bid(revision: int, amount_minor: int | None, placed_at_us: int, rank_seq: int, nonce: str) -> str:
    """A current bid as the scripts store it: "revision:amount:placed_us:rank_seq:nonce" ("" amount = withdrawn)."""
    amount = "" if amount_minor is None else str(amount_minor)
    return f"{revision}:{amount}:{placed_at_us}:{rank_seq}:{nonce}"


@dataclass
class LotSnapshot:
    lot_id: int
    state: dict[str, str]
    bids: dict[str, str] = field(default_factory=dict)
    idem: dict[str, str] = field(default_factory=dict)
    deposits: list[str] = field(default_factory=list)
    invited: list[str] = field(default_factory=list)
    closes_us: int | None = None

    def script_args(self, token: str) -> list[str]:
        args: list[str] = [token]
        for mapping in (self.state, self.bids, self.idem):
            args.append(str(len(mapping)))
            for key, value in mapping.items():
                args.extend((key, value))
        for members in (self.deposits, self.invited):
            args.append(str(len(members)))
            args.extend(members)
        return args


def _state_for(lot: Lot) -> str:
    if lot.status == "live":
        return "open"
    if lot.sale_mode == "sealed_bid" and lot.status in ("awarded", "unsold"):
        return "closed"
    if lot.status == "sold":
        return "sold"
    return "gone"


async def read_snapshot(session: AsyncSession, lot_id: int) -> LotSnapshot | None:
    """Everything the scripts need about one lot, read from SQL; None for a lot no buyer can see."""
    lot = await session.get(Lot, lot_id)
    if lot is None or lot.status in UNLISTED:
        return None
    closes_us = parse_micros(lot.closes_at) if lot.closes_at is not None else None
    bids = (await session.execute(select(Bid).where(Bid.lot_id == lot_id))).scalars().all()
    state = {
        "gen": secrets.token_hex(8),
        "mode": lot.sale_mode,
        "state": _state_for(lot),
        "closes_us": str(closes_us if closes_us is not None else 0),
        "seller": str(lot.seller_org_id),
        "private": "1" if lot.visibility == "private" else "0",
        "min": "" if lot.min_bid_minor is None else str(lot.min_bid_minor),
        "price": "" if lot.price_minor is None else str(lot.price_minor),
        "currency": lot.currency,
        "deposit": "1" if lot.deposit_percent else "0",
        "seq": str(await session.scalar(select(func.max(BidRevision.seq)).where(BidRevision.lot_id == lot_id)) or 0),
        "count": str(sum(1 for bid in bids if bid.amount_minor is not None)),
        "confirmed": "1",
    }
    if lot.status == "sold":
        buyer = await session.scalar(select(Order.buyer_org_id).where(Order.lot_id == lot_id))
        if buyer is not None:
            state["buyer"] = str(buyer)
    snapshot = LotSnapshot(lot_id=lot_id, state=state, closes_us=closes_us)
    for bid in bids:
        snapshot.bids[str(bid.bidder_org_id)] = pack_bid(
            bid.revision, bid.amount_minor, bid.placed_at_us, bid.rank_seq, bid.nonce
        )
    keyed = await session.execute(
        select(BidRevision).where(BidRevision.lot_id == lot_id, BidRevision.idempotency_key.is_not(None))
    )
    for revision in keyed.scalars():
        packed = pack_bid(
            revision.revision, revision.amount_minor, revision.placed_at_us, revision.rank_seq, revision.nonce
        )
        snapshot.idem[f"{revision.bidder_org_id}:{revision.idempotency_key}"] = f"{packed}:{revision.kind}"
    held = await session.scalars(
        select(BidDeposit.org_id).where(BidDeposit.lot_id == lot_id, BidDeposit.status == "held")
    )
    snapshot.deposits = [str(org_id) for org_id in held]
    invited = await session.scalars(select(LotInvite.org_id).where(LotInvite.lot_id == lot_id))
    snapshot.invited = [str(org_id) for org_id in invited]
    return snapshot


class LotStateLoader:
    """Loads one lot at a time per lot id across all processes (a load token in Redis, SET NX)."""

    def __init__(self, redis: AppRedis, scripts: LotScripts, session_maker: async_sessionmaker[AsyncSession]) -> None:
        self.redis = redis
        self.scripts = scripts
        self.session_maker = session_maker

    async def ensure_loaded(self, keys: LotKeys, closing_index: str, *, attempts: int = 200) -> None:
        """Return once the lot's state is in Redis; 404 for a lot no buyer can see; 503 if it cannot be done."""
        lot_id = keys.lot_id
        for attempt in range(attempts):
            token = secrets.token_hex(8)
            async with redis_guard():
                claimed = await self.redis.set(keys.loading, token, nx=True, px=LOAD_TOKEN_MS)
            if not claimed:
                # Another process is loading it: wait for its result rather than read SQL twice.
                await asyncio.sleep(min(0.002 * (attempt + 1), 0.05))
                async with redis_guard():
                    if await self.redis.exists(keys.state):
                        return
                continue
            snapshot = await self._read(lot_id, keys)
            if snapshot is None:
                # Release the claim now: asking again for a missing lot must not wait for it to expire.
                async with redis_guard():
                    await self.redis.delete(keys.loading)
                raise lot_not_found(lot_id)
            written = await self.scripts.run("load_lot", keys.all(), snapshot.script_args(token))
            if int(written) in (1, 2):
                if snapshot.state["mode"] == "sealed_bid" and snapshot.state["state"] == "open":
                    async with redis_guard():
                        await self.redis.zadd(closing_index, {str(lot_id): snapshot.closes_us or 0})
                return
            # The token was cancelled by a bid that committed while we read SQL: read again.
        raise engine_unavailable()

    async def _read(self, lot_id: int, keys: LotKeys) -> LotSnapshot | None:
        try:
            async with self.session_maker() as session:
                # One snapshot: a lot withdrawn between two reads must not load as open without its deposits.
                await read_one_snapshot(session)
                return await read_snapshot(session, lot_id)
        except SQLAlchemyError:
            async with redis_guard():
                await self.redis.delete(keys.loading)
            raise ServiceUnavailable(
                "The exchange's database is briefly unavailable. Nothing was changed; please try again.",
                code=DATABASE_UNAVAILABLE,
            ) from None
