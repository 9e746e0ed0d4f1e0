"""A close's notifications survive the closer: the award's transaction records them (the close outbox), so a
closer that dies right after its commit leaves them to any other process's sweep, which tells every bidder
and the seller exactly once, however many processes sweep at the same time."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy import select

from exchange.auctions import closing
from exchange.auctions.close_outbox import deliver_closes
from exchange.auctions.engine import BidEngine
from exchange.db.engine import make_engine, make_session_maker
from exchange.live.channels import lot_channel
from exchange.lots.models import Lot
from tests.conftest import Actor
from tests.support.auctions import CLOSE_WITHIN, close_now, closing_lot
from tests.support.stack import Stack, private_stack
from tests.support.waiting import eventually


class CloserDied(Exception):
    """Stands for the closing process being killed between the award's commit and its notifications."""


async def _die(*_args: Any, **_kwargs: Any) -> int:
    raise CloserDied


async def _close_notices(stack: Stack, actor: Actor, lot_id: int) -> list[str]:
    answer = await stack.client.get("/api/notifications", params={"limit": 100}, headers=actor.headers)
    assert answer.status_code == 200
    return [item["kind"] for item in answer.json()["items"] if item["link"] == f"/lots/{lot_id}/sale"]


async def test_a_closer_killed_after_the_award_leaves_every_bidder_to_be_told_once_by_another_process(
    database_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with private_stack(scheduler=False, backend=database_backend) as stack:
        seller, winner, loser = [await stack.make_org(kind) for kind in ("seller", "buyer", "buyer")]
        lot_id = await closing_lot(stack.db, seller)
        for bidder, amount in ((loser, "500"), (winner, "900")):
            placed = await stack.client.post(
                f"/api/lots/{lot_id}/bids", json={"amount": amount}, headers=bidder.headers
            )
            assert placed.status_code == 201

        async def past_its_close() -> bool | None:
            status = await stack.client.get(f"/lots/{lot_id}/sale/status", headers=winner.headers)
            return True if "the bids are being opened" in status.text else None

        await close_now(stack.db, stack.settings, lot_id)
        await eventually(past_its_close, within=CLOSE_WITHIN)
        closer = BidEngine(Redis.from_url(stack.redis_server.url), stack.db)
        monkeypatch.setattr(closing, "deliver_closes", _die)
        with pytest.raises(CloserDied):
            await closing.close_lot(closer, lot_id)
        monkeypatch.undo()
        await closer.redis.aclose()

        async with stack.db() as session:
            assert await session.scalar(select(Lot.status).where(Lot.id == lot_id)) == "awarded"
        for actor in (seller, winner, loser):
            assert await _close_notices(stack, actor, lot_id) == []  # nobody told yet

        # Two other processes' sweeps (the `auctions.deliver-closes` job), each on its own database engine.
        published: list[tuple[str, str, dict[str, Any]]] = []

        async def publish_many(events: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
            published.extend(events)

        other = make_engine(stack.settings.database)
        swept = await asyncio.gather(
            deliver_closes(stack.db, publish_many), deliver_closes(make_session_maker(other), publish_many)
        )
        await other.dispose()
        again = await deliver_closes(stack.db, publish_many)

        assert sorted(swept) in ([0, 4], [1, 3], [2, 2])  # the lot's event and three notices, each once
        assert again == 0
        assert await _close_notices(stack, winner, lot_id) == ["bid_won"]
        assert await _close_notices(stack, loser, lot_id) == ["bid_lost"]
        assert await _close_notices(stack, seller, lot_id) == ["lot_closed"]
        assert published.count((lot_channel(lot_id), "closed", {"status": "awarded"})) == 1
