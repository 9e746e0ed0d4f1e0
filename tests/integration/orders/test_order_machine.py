"""A Hypothesis state machine drives orders (from purchases, sealed-bid awards with deposits, and accepted
quotes; buyers with and without credit terms) through random actions by random actors, right and wrong,
and through the clock. After every step: the ledger balances and escrow is zero on finished orders; every
order is in the state the transition table predicts (so nothing moved from a wrong state or by a wrong
actor); and no deadline fired twice.

The suite runs a fixed, derandomized, bounded set of examples. A longer run:

    ORDER_MACHINE_EXAMPLES=300 ORDER_MACHINE_STEPS=60 .venv/bin/pytest tests/integration/orders/test_order_machine.py
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from exchange.auctions.closing import award_lot
from exchange.clock import ManualClock
from exchange.orders import rules
from tests.conftest import Actor
from tests.support.lots import live_lot
from tests.support.orders import SHIPMENT, assert_ledger_balances, fire_deadlines
from tests.support.rfq import Deal
from tests.support.stack import Stack, private_stack

T = TypeVar("T")
EXAMPLES = int(os.environ.get("ORDER_MACHINE_EXAMPLES", "8"))
STEPS = int(os.environ.get("ORDER_MACHINE_STEPS", "25"))
CREDIT_LIMIT_MINOR = 5_000_000
NET_DAYS = 30
REACHED: Counter[str] = Counter()
"""The states the examples' orders ended in (the run must reach the interesting ones)."""
ACTIONS = ("pay", "ship", "deliver", "mark-delivered", "accept")
SIDES = ("right", "buyer", "seller", "admin", "third")
"""The side the table expects for the action ("right"), or anyone."""
RIGHT_SIDE = {"pay": "buyer", "ship": "seller", "deliver": "buyer", "mark-delivered": "seller", "accept": "buyer"}


@dataclass
class Model:
    """What the table predicts for one order."""

    id: int
    buyer: Actor
    status: str = "awaiting_payment"
    amount_due: int = 0
    on_credit: bool = False
    invoice_due: datetime | None = None
    invoice_paid: bool = False
    deadlines: dict[str, datetime] = field(default_factory=dict)


def _minor(amount: str | None) -> int:
    whole, _, cents = (amount or "0").partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])


async def test_random_actions_keep_the_ledger_balanced_and_follow_the_table() -> None:
    clock = ManualClock(datetime.now(UTC))
    async with private_stack(scheduler=False, clock=clock) as stack:
        loop = asyncio.get_running_loop()

        def run(coroutine: Coroutine[Any, Any, T]) -> T:
            return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=120)

        machine = _machine(stack, clock, run)
        config = settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        await asyncio.to_thread(run_state_machine_as_test, machine, settings=config)
    print(f"order machine reached: {dict(REACHED)}")
    assert {"settled", "cancelled"} <= set(REACHED)


def _machine(stack: Stack, clock: ManualClock, run: Any) -> type[RuleBasedStateMachine]:
    client, db = stack.client, stack.db

    class OrderMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.seller = run(stack.make_org("seller"))
            self.cash_buyer = run(stack.make_org("buyer"))
            self.credit_buyer = run(stack.make_org("buyer"))
            self.third = run(stack.make_org("buyer"))
            granted = run(
                client.post(
                    f"/api/admin/orgs/{self.credit_buyer.org_id}/credit",
                    json={"limit": "50000.00", "net_days": NET_DAYS},
                    headers=stack.make_org.admin.headers,
                )
            )
            assert granted.status_code == 200, granted.text
            self.orders: list[Model] = []
            self.fired: Counter[tuple[int, str]] = Counter()

        # --- making orders -------------------------------------------------------------------

        def _adopt(self, order_id: int, buyer: Actor) -> None:
            model = Model(order_id, buyer)
            self._refresh(model)
            self.orders.append(model)

        def _refresh(self, model: Model) -> dict[str, Any]:
            view = run(client.get(f"/api/orders/{model.id}", headers=model.buyer.headers)).json()
            model.amount_due = _minor(view["amount_due"])
            model.deadlines = {name: datetime.fromisoformat(at) for name, at in view["deadlines"].items()}
            return dict(view)

        def _buyer(self, credit: bool) -> Actor:
            return self.credit_buyer if credit else self.cash_buyer

        @precondition(lambda self: len(self.orders) < 4)
        @rule(
            source=st.sampled_from(["purchase", "award", "quote"]),
            credit=st.booleans(),
            price=st.sampled_from([1_000_000, 2_000_000, 4_000_000]),
        )
        def new_order(self, source: str, credit: bool, price: int) -> None:
            if source == "award":
                self.award(credit)
            elif source == "quote":
                self.quote(credit)
            else:
                self.purchase(credit, price)

        def purchase(self, credit: bool, price: int) -> None:
            buyer = self._buyer(credit)
            if self._overdue(buyer):
                return
            lot_id = run(
                live_lot(db, self.seller, sale_mode="fixed_price", price_minor=price, published_at=clock.now())
            )
            bought = run(client.post(f"/api/lots/{lot_id}/purchase", headers=buyer.headers))
            assert bought.status_code == 201, bought.text
            self._adopt(int(bought.json()["id"]), buyer)

        def award(self, credit: bool) -> None:
            buyer = self._buyer(credit)
            if self._overdue(buyer):
                return
            lot_id = run(
                live_lot(db, self.seller, deposit_percent=10, reference_price_minor=100_000, quantity_value="1")
            )
            for bidder, amount in ((buyer, "900.00"), (self.third, "800.00")):
                assert run(client.post(f"/api/lots/{lot_id}/deposit", headers=bidder.headers)).status_code == 201
                placed = run(client.post(f"/api/lots/{lot_id}/bids", json={"amount": amount}, headers=bidder.headers))
                assert placed.status_code == 201, placed.text
            result = run(award_lot(db, lot_id, at=clock.now()))
            assert result is not None
            assert result.order_id is not None
            self._adopt(result.order_id, buyer)

        def quote(self, credit: bool) -> None:
            buyer = self._buyer(credit)
            if self._overdue(buyer):
                return
            lot_id = run(
                live_lot(db, self.seller, sale_mode="fixed_price", price_minor=3_000_000, published_at=clock.now())
            )
            deal = Deal(client, self.seller, buyer, lot_id)
            thread = run(deal.open_rfq(buyer))
            valid = (clock.now() + timedelta(days=5)).isoformat()
            offer = run(deal.offer(self.seller, thread["id"], "29000.00", valid_until=valid))
            accepted = run(
                client.post(f"/api/rfqs/{thread['id']}/accept", json={"offer_id": offer["id"]}, headers=buyer.headers)
            )
            assert accepted.status_code == 201, accepted.text
            self._adopt(int(accepted.json()["id"]), buyer)

        # --- the table's prediction ------------------------------------------------------------

        def _overdue(self, buyer: Actor) -> bool:
            now = clock.now()
            return any(
                o.buyer is buyer
                and o.on_credit
                and not o.invoice_paid
                and o.invoice_due is not None
                and o.invoice_due < now
                and o.status != "cancelled"
                for o in self.orders
            )

        def _exposure(self, buyer: Actor) -> int:
            return sum(o.amount_due for o in self.orders if o.buyer is buyer and o.on_credit and not o.invoice_paid)

        def _facts(self, model: Model) -> set[str]:
            if model.on_credit and not model.invoice_paid:
                return {rules.ON_CREDIT}
            if model.buyer is self.credit_buyer and model.status == "awaiting_payment":
                return {rules.ON_CREDIT}
            return set()

        def _actor(self, model: Model, side: str) -> Actor:
            return {"buyer": model.buyer, "seller": self.seller, "third": self.third}.get(side) or stack.make_org.admin

        # --- actions ---------------------------------------------------------------------------

        @precondition(lambda self: bool(self.orders))
        @rule(data=st.data(), action=st.sampled_from(ACTIONS))
        def act_rightly(self, data: st.DataObject, action: str) -> None:
            self.act(data, action, "right")

        @precondition(lambda self: bool(self.orders))
        @rule(data=st.data(), action=st.sampled_from(ACTIONS), side=st.sampled_from(SIDES))
        def act(self, data: st.DataObject, action: str, side: str) -> None:
            model = data.draw(st.sampled_from(self.orders))
            side = RIGHT_SIDE[action] if side == "right" else side
            actor = self._actor(model, side)
            if side == "third":
                answer = run(self._call(model, action, actor))
                assert answer.status_code == 404, (action, side, answer.text)
                return
            name = action.replace("-", "_")
            facts = self._facts(model)
            row = rules.transition_for(name, model.status, side, facts)
            if name == "ship" and row is not None and model.status == "awaiting_payment":
                # on credit: refused when the buyer is overdue or the limit would be passed
                if self._overdue(model.buyer):
                    row = None
                elif self._exposure(model.buyer) + model.amount_due > CREDIT_LIMIT_MINOR:
                    answer = run(self._call(model, action, actor))
                    assert answer.status_code == 409, answer.text
                    assert answer.json()["code"] == "credit_limit"
                    return
            answer = run(self._call(model, action, actor))
            if row is None:
                assert answer.status_code in (403, 409), (action, side, model.status, answer.text)
                if answer.status_code == 409:
                    assert answer.json()["state"] == model.status
                return
            assert answer.status_code == 200, (action, side, model.status, answer.text)
            if name == "pay":
                self._paid(model, answer.json())
            elif name == "ship":
                model.status = "shipped"
                if rules.ON_CREDIT in facts and not model.on_credit:
                    model.on_credit, model.invoice_due = True, clock.now() + timedelta(days=NET_DAYS)
            elif name in ("deliver", "mark_delivered"):
                model.status = "delivered"
            elif name == "accept":
                model.status = "settled"
            view = self._refresh(model)
            assert view["status"] == model.status

        def _call(self, model: Model, action: str, actor: Actor) -> Any:
            body = {"ship": SHIPMENT, "mark-delivered": {"proof": "signed for at the dock"}}.get(action)
            return client.post(f"/api/orders/{model.id}/{action}", json=body, headers=actor.headers)

        def _paid(self, model: Model, started: dict[str, Any]) -> None:
            steps = started["instructions"]
            for _replay in range(2):
                confirmed = run(client.post(steps["path"], json=steps["body"], headers=steps["headers"]))
                assert confirmed.status_code == 200, confirmed.text
            if started["purpose"] == "order":
                model.status = "paid"
            else:
                model.invoice_paid = True

        @rule(hours=st.sampled_from([1, 6, 25, 49, 73, 24 * 31]))
        def time_passes(self, hours: int) -> None:
            clock.advance(hours * 3600)
            now = clock.now()
            fired = run(fire_deadlines(db, now))
            fired += run(fire_deadlines(db, now))  # a second worker finds nothing left
            self.fired.update(fired)
            for model in self.orders:
                payment, inspection = model.deadlines.get("payment"), model.deadlines.get("inspection")
                if model.status == "awaiting_payment" and payment is not None and payment <= now:
                    model.status = "cancelled"
                elif model.status in ("delivered", "inspecting") and inspection is not None and inspection <= now:
                    model.status = "settled"
                self._refresh(model)

        # --- invariants ------------------------------------------------------------------------

        def teardown(self) -> None:
            REACHED.update(model.status for model in self.orders)
            REACHED.update("invoice_paid" for model in self.orders if model.invoice_paid)

        @invariant()
        def orders_are_where_the_table_says(self) -> None:
            for model in self.orders:
                status = run(client.get(f"/api/orders/{model.id}", headers=self.seller.headers)).json()["status"]
                assert status == model.status, (model.id, status, model.status)

        @invariant()
        def the_ledger_balances(self) -> None:
            run(assert_ledger_balances(db))

        @invariant()
        def each_deadline_fires_once(self) -> None:
            assert [key for key, times in self.fired.items() if times > 1] == []

    return OrderMachine
