"""Sealed bids: place, revise, withdraw, replay an Idempotency-Key, and the repairs that make a refusal right."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from exchange.auctions import refusals
from exchange.auctions.batch import KEY_REUSED, OK, BidWrite, PlacedBid
from exchange.auctions.engine._base import EngineBase, text
from exchange.auctions.models import BidDeposit, BidRevision
from exchange.auctions.receipts import commitment, new_nonce
from exchange.idempotency import key_reused
from exchange.money import format_minor

__all__ = ["REPLAY_WAIT_SECONDS", "SealedBids"]

REPLAY_WAIT_SECONDS = 3.0


class SealedBids(EngineBase):
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
                self._count_changed(accepted)
                return accepted.placed()
            if outcome == "closed":
                raise refusals.bidding_closed()
            if outcome == KEY_REUSED:  # the lot's state, which took the bid, was dropped: nothing changed
                raise key_reused()
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
            nonce = new_nonce()
            reply = await self.bid_scripts.run(  # batched with the other bids of this loop turn
                (keys.state, keys.bids, keys.idem, keys.deposits, keys.invited),
                (bidder, amount_minor, currency, nonce, idempotency_key or ""),
            )
            code = text(reply[0])
            if code == "MISSING":
                await self._load(keys)
                continue
            if code == "NO_DEPOSIT" and attempt == 0 and await self._resync_deposit(lot_id, bidder_org_id):
                continue
            if code == "NOT_FOUND" and attempt == 0 and await self._invited_since(lot_id, bidder_org_id):
                continue
            if code == "REPLAY":
                replayed = await self._replayed_bid(lot_id, bidder_org_id, text(reply[2]), amount_minor)
                if replayed is not None:
                    return replayed
                await self._drop_states({lot_id})  # the first attempt never became durable
                continue
            if code != "OK":
                raise refusals.for_bid(code, [text(part) for part in reply[1:]], lot_id)
            return _accepted_write(
                reply,
                lot_id=lot_id,
                bidder_org_id=bidder_org_id,
                amount_minor=amount_minor,
                currency=currency,
                nonce=nonce,
                idempotency_key=idempotency_key,
                user_id=user_id,
            )
        raise refusals.engine_busy()

    async def withdraw_bid(self, *, lot_id: int, bidder_org_id: int, user_id: int | None = None) -> PlacedBid:
        """Withdraw the bidder's current bid (until the close); durable before it returns."""
        keys = await self.keys(lot_id)
        for _attempt in range(4):
            nonce = new_nonce()
            reply = await self.scripts.run(
                "withdraw_bid", (keys.state, keys.bids, keys.invited), (str(bidder_org_id), nonce)
            )
            code = text(reply[0])
            if code == "MISSING":
                await self._load(keys)
                continue
            if code != "OK":
                raise refusals.for_bid(code, [text(part) for part in reply[1:]], lot_id)
            currency = text(await self._state_field(lot_id, "currency") or b"CNY")
            write = _accepted_write(
                reply,
                lot_id=lot_id,
                bidder_org_id=bidder_org_id,
                amount_minor=None,
                currency=currency,
                nonce=nonce,
                idempotency_key=None,
                user_id=user_id,
            )
            outcome = await self._durable(write)
            if outcome == OK:
                self._count_changed(write)
                return write.placed()
            if outcome == "closed":
                raise refusals.bidding_closed()
        raise refusals.engine_busy()

    async def _replayed_bid(self, lot_id: int, bidder_org_id: int, packed: str, amount_minor: int) -> PlacedBid | None:
        """The first answer for a repeated Idempotency-Key, once SQL holds it (None: it never became durable)."""
        revision_text, amount_text, *_rest = packed.split(":")
        if amount_text != str(amount_minor) or packed.endswith(":withdraw"):
            raise key_reused()
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

    async def deposit_added(self, lot_id: int, org_id: int) -> None:
        """A deposit was committed in SQL: let the org bid (a state not loaded yet reads it from SQL)."""
        keys = await self.keys(lot_id)
        await self.scripts.run("add_deposit", (keys.state, keys.deposits), (str(org_id),))


def _accepted_write(
    reply: list[Any],
    *,
    lot_id: int,
    bidder_org_id: int,
    amount_minor: int | None,
    currency: str,
    nonce: str,
    idempotency_key: str | None,
    user_id: int | None,
) -> BidWrite:
    """The write of a bid (or, with `amount_minor` None, a withdrawal) its script accepted: reply is
    OK, generation, revision, placed at (µs), rank sequence, lot sequence, public bid count."""
    gen, revision, placed_us, rank_seq, seq, count = (
        text(reply[1]),
        int(reply[2]),
        int(reply[3]),
        int(reply[4]),
        int(reply[5]),
        int(reply[6]),
    )
    amount = "withdrawn" if amount_minor is None else (format_minor(amount_minor, currency) or "0")
    return BidWrite(
        lot_id=lot_id,
        bidder_org_id=bidder_org_id,
        revision=revision,
        kind="withdraw" if amount_minor is None else "bid",
        amount_minor=amount_minor,
        currency=currency,
        placed_at_us=placed_us,
        seq=seq,
        rank_seq=rank_seq,
        nonce=nonce,
        receipt=commitment(
            lot_id=lot_id,
            bidder_org_id=bidder_org_id,
            amount=amount,
            currency=currency,
            revision=revision,
            placed_at_us=placed_us,
            nonce=nonce,
        ),
        idempotency_key=idempotency_key,
        user_id=user_id,
        gen=gen,
        packed=f"{revision}:{'' if amount_minor is None else amount_minor}:{placed_us}:{rank_seq}:{nonce}",
        bid_count=count,
    )
