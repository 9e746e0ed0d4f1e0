"""Bids' overdue-invoice checks are asked of SQL together (`orders.overdue_checks`), yet each bidder gets its
own answer: the org with an overdue invoice is refused, the others in the same burst are not, and a check
is judged at its own time, not at the time of a later check it shared a query with."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from exchange.clock import ManualClock
from exchange.errors import DomainError
from exchange.orders.overdue_checks import OverdueChecks
from tests.conftest import Actor
from tests.support.lots import live_lot
from tests.support.orders import new_sale
from tests.support.stack import Stack, private_stack


async def _overdue_buyer(stack: Stack, clock: ManualClock) -> tuple[Actor, int, datetime]:
    """A buyer on credit terms whose order shipped now: (the buyer, its order id, the invoice's due time)."""
    buyer = await stack.make_org("buyer")
    granted = await stack.client.post(
        f"/api/admin/orgs/{buyer.org_id}/credit",
        json={"limit": "50000.00", "net_days": 30},
        headers=stack.make_org.admin.headers,
    )
    assert granted.status_code == 200, granted.text
    sale = await new_sale(stack.client, stack.db, stack.make_org, buyer=buyer, published_at=clock.now())
    shipped = await sale.ship()
    assert shipped["on_credit"] is True
    return buyer, sale.order_id, datetime.fromisoformat(shipped["invoice_due_at"])


async def test_a_burst_of_bids_refuses_only_the_org_with_an_overdue_invoice(database_backend: str) -> None:
    clock = ManualClock(datetime.now(UTC))
    async with private_stack(scheduler=False, clock=clock, backend=database_backend) as stack:
        late, order_id, due = await _overdue_buyer(stack, clock)
        others = [await stack.make_org("buyer") for _ in range(4)]
        seller = await stack.make_org("seller")
        lot = await live_lot(stack.db, seller)  # (the engine checks its close against the real clock)
        clock.set(due + timedelta(seconds=1))

        answers = await asyncio.gather(
            *(
                stack.client.post(f"/api/lots/{lot}/bids", json={"amount": f"{500 + n}"}, headers=org.headers)
                for n, org in enumerate([others[0], others[1], late, others[2], others[3]])
            )
        )

        statuses = [answer.status_code for answer in answers]
        assert statuses == [201, 201, 403, 201, 201], [answer.text for answer in answers]
        refusal = answers[2].json()
        assert refusal["code"] == "invoice_overdue"
        assert f"order {order_id}" in refusal["detail"]
        mine = await stack.client.get(f"/api/lots/{lot}/bids/mine", headers=late.headers)
        assert mine.status_code == 404  # nothing of the refused bid was kept


async def test_each_check_is_judged_at_its_own_time(database_backend: str) -> None:
    clock = ManualClock(datetime.now(UTC))
    async with private_stack(scheduler=False, clock=clock, backend=database_backend) as stack:
        late, order_id, due = await _overdue_buyer(stack, clock)
        punctual = await stack.make_org("buyer")
        engine = stack.db.kw["bind"]
        assert isinstance(engine, AsyncEngine)
        checks = OverdueChecks(engine)  # what every bid engine holds (on the test's own event loop)

        # Asked in the same loop turn, so answered by one query (read up to the latest of their times).
        answers = await asyncio.gather(
            checks.ensure_not_overdue(late.org_id, due - timedelta(seconds=1)),
            checks.ensure_not_overdue(late.org_id, due + timedelta(seconds=1)),
            checks.ensure_not_overdue(punctual.org_id, due + timedelta(days=1)),
            checks.ensure_not_overdue(None, due + timedelta(days=1)),
            return_exceptions=True,
        )

        assert answers[0] is None  # before the due time: not overdue yet
        assert isinstance(answers[1], DomainError)
        assert answers[1].code == "invoice_overdue"
        assert f"order {order_id}" in str(answers[1].detail)
        assert answers[2:] == [None, None]
