"""An app built on a manual clock decides by that clock: tests move time instead of waiting for it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from exchange.clock import ManualClock
from tests.support.rfq import new_deal
from tests.support.stack import private_stack


async def test_an_offer_is_expired_once_the_apps_clock_passes_its_valid_until() -> None:
    clock = ManualClock(datetime.now(UTC))
    async with private_stack(scheduler=False, clock=clock) as stack:
        deal = await new_deal(stack.client, stack.db, stack.make_org)
        thread_id = (await deal.open_rfq())["id"]
        valid_until = (clock.now() + timedelta(hours=1)).isoformat()
        quote = await deal.offer(deal.seller, thread_id, "38000.00", valid_until=valid_until)

        clock.advance(timedelta(hours=1, minutes=1).total_seconds())
        accepted = await stack.client.post(
            f"/api/rfqs/{thread_id}/accept", json={"offer_id": quote["id"]}, headers=deal.buyer.headers
        )
        assert accepted.status_code == 409, accepted.text
        assert accepted.json()["code"] == "offer_expired"
