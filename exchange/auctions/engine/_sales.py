"""Fixed-price purchase claims, close claims, and final states recorded after SQL settled a lot."""

from __future__ import annotations

import contextlib
import secrets
from typing import Any

from exchange.auctions import refusals
from exchange.auctions.engine._base import EngineBase, text
from exchange.auctions.scripts import CLOSING_SHARDS, closing_index, closing_shard, engine_unavailable, redis_guard
from exchange.errors import DomainError
from exchange.redis.routing import send_commands

__all__ = ["CLOSED_STATE_TTL_MS", "STALE_CLAIM_US", "SalesAndCloses"]

CLOSED_STATE_TTL_MS = 24 * 3600 * 1000
"""A closed lot's Redis state is kept a day (late calls get their 409 fast), then rebuilt from SQL if used."""

STALE_CLAIM_US = 15_000_000
"""An unconfirmed purchase claim or an unfinished close claim older than this (µs) counts as abandoned."""


class SalesAndCloses(EngineBase):
    async def claim_purchase(self, lot_id: int, buyer_org_id: int, idempotency_key: str | None) -> tuple[str, Any]:
        """Run purchase.lua (loading the lot when needed): ("OK", (price, claim_us)), ("REPLAY", None) ..."""
        keys = await self.keys(lot_id)
        for attempt in range(4):
            reply = await self.scripts.run(
                "purchase",
                (keys.state, keys.idem, keys.invited),
                (str(buyer_org_id), idempotency_key or "", STALE_CLAIM_US),
            )
            code = text(reply[0])
            if code == "MISSING":
                await self._load(keys)
                continue
            if code == "OK":
                return code, (int(reply[2]), text(reply[3]))
            if code == "UNCONFIRMED":
                return code, text(reply[2])
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
            code = text(reply[0])
            if code == "MISSING":
                await self._load(keys)
                continue
            return code, (token if code == "CLAIMED" else None)
        return "MISSING", None

    async def finish(self, lot_id: int, state: str, outcome: str) -> None:
        """Record a final state in Redis after SQL settled it; no bid or purchase is accepted afterwards."""
        try:
            keys = await self.keys(lot_id)
            await self.scripts.run(
                "finish_close",
                (keys.state, keys.bids, keys.idem, keys.deposits, keys.invited),
                (state, outcome, CLOSED_STATE_TTL_MS),
            )
            async with redis_guard():
                await self.redis.zrem(closing_index(keys.space, lot_id), str(lot_id))
        except DomainError:
            self._pending_drops.add(lot_id)  # the next load reads the final state from SQL

    async def due_lot_ids(self, now_us: int, *, per_shard: int = 100) -> list[int]:
        """Sealed-bid lots whose close time has passed, by Redis's schedule of loaded lots (every shard of
        it in one round trip per master; at most `per_shard` from each, the earliest first)."""
        space = await self.space()
        shards = [closing_shard(space, shard) for shard in range(CLOSING_SHARDS)]
        commands = [("ZRANGEBYSCORE", shard, "-inf", now_us, "LIMIT", 0, per_shard) for shard in shards]
        async with redis_guard():
            replies = await send_commands(self.redis, commands, shards)
        if any(isinstance(reply, Exception) for reply in replies):
            raise engine_unavailable()
        return [int(member) for reply in replies for member in reply]

    async def forget_due(self, lot_id: int) -> None:
        with contextlib.suppress(DomainError):
            async with redis_guard():
                await self.redis.zrem(closing_index(await self.space(), lot_id), str(lot_id))

    async def drop_state(self, lot_id: int) -> None:
        """Forget a lot's Redis state; it is rebuilt from SQL on its next use."""
        await self._drop_states({lot_id})

    async def bid_count(self, lot_id: int) -> int | None:
        raw = await self._state_field(lot_id, "count")
        return int(raw) if raw is not None else None
