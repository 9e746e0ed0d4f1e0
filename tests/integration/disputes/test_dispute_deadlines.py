"""Dispute deadlines on a manual clock: the inspection window, the seller's answer window, the admin's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from exchange.app import DEADLINE_HANDLERS
from exchange.clock import ManualClock
from exchange.mail.models import OutboxMail
from exchange.orders import deadlines
from tests.support.disputes import delivered_order
from tests.support.stack import Stack, private_stack

DAY = timedelta(days=1).total_seconds()


async def _fire(stack: Stack, clock: ManualClock) -> list[tuple[int, str]]:
    """What the deadline job does now."""
    return await deadlines.fire_due(stack.db, DEADLINE_HANDLERS, clock.now())


async def test_an_unanswered_dispute_escalates_at_the_sellers_deadline_and_the_buyer_not_before() -> None:
    clock = ManualClock(datetime.now(UTC))
    async with private_stack(scheduler=False, clock=clock) as stack:
        deal = await delivered_order(stack.client, stack.db, stack.make_org)
        opened = await deal.dispute(reason="Half the rolls are the wrong shade.")
        assert opened.status_code == 201, opened.text
        dispute = opened.json()
        escalate = f"/api/disputes/{dispute['id']}/escalate"

        clock.advance(2 * DAY)
        early = await stack.client.post(escalate, headers=deal.buyer.headers)
        assert early.status_code == 409, early.text
        assert early.json()["code"] == "escalation_too_early"
        assert await _fire(stack, clock) == []

        clock.advance(DAY + 1)
        assert await _fire(stack, clock) == [(deal.order_id, "dispute_answer")]
        assert await _fire(stack, clock) == []  # once
        seen = (await stack.client.get(f"/api/disputes/{dispute['id']}", headers=deal.seller.headers)).json()
        assert seen["status"] == "escalated"
        assert seen["decide_by"] is not None
        queue = (await stack.client.get("/api/admin/disputes", headers=stack.make_org.admin.headers)).json()["items"]
        assert [item["id"] for item in queue] == [dispute["id"]]
        assert queue[0]["overdue"] is False
        late = await stack.client.post(
            f"/api/disputes/{dispute['id']}/answer", json={"answer": "accept"}, headers=deal.seller.headers
        )
        assert late.status_code == 409
        assert late.json()["state"] == "escalated"

        clock.advance(2 * DAY + 1)
        assert await _fire(stack, clock) == [(deal.order_id, "admin_decision")]
        queue = (await stack.client.get("/api/admin/disputes", headers=stack.make_org.admin.headers)).json()["items"]
        assert queue[0]["overdue"] is True
        async with stack.db() as session:
            subjects = (await session.scalars(select(OutboxMail.subject))).all()
        assert any(s.startswith("Overdue: dispute") for s in subjects)


async def test_the_buyer_escalates_from_the_answer_deadline_when_the_job_has_not_run_yet() -> None:
    clock = ManualClock(datetime.now(UTC))
    async with private_stack(scheduler=False, clock=clock) as stack:
        deal = await delivered_order(stack.client, stack.db, stack.make_org)
        dispute = (await deal.dispute(reason="Wrong width: 140 cm, not 150 cm.")).json()
        clock.advance(3 * DAY)
        escalated = await stack.client.post(f"/api/disputes/{dispute['id']}/escalate", headers=deal.buyer.headers)
        assert escalated.status_code == 200, escalated.text
        assert escalated.json()["status"] == "escalated"
        assert await _fire(stack, clock) == []  # the answer deadline ended with the escalation


async def test_no_inspection_or_dispute_after_the_inspection_window() -> None:
    clock = ManualClock(datetime.now(UTC))
    async with private_stack(scheduler=False, clock=clock) as stack:
        deal = await delivered_order(stack.client, stack.db, stack.make_org)
        clock.advance(2 * DAY + 1)
        inspected = await deal.inspect(units_inspected=100, units_defective=1)
        assert inspected.status_code == 409, inspected.text
        assert inspected.json()["code"] == "inspection_window_closed"
        disputed = await deal.dispute(reason="Too late")
        assert disputed.status_code == 409
        assert await _fire(stack, clock) == [(deal.order_id, "inspection")]
        assert (await deal.order())["status"] in ("accepted", "settled")
