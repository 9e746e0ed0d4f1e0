"""A Hypothesis state machine drives orders from every source (fixed-price purchases, sealed-bid awards with bid
deposits, RFQ quotes accepted after a paid sample, broker proposals; buyers with and without net-30 credit terms)
through random actions by random actors, right and wrong, and through the clock: payment, shipping (on credit
before payment), delivery, inspection, acceptance, disputes (the seller accepts, offers a partial refund or
rejects; the buyer takes the offer or escalates; an admin refunds, refunds in part or releases), invoices falling
due and blocking the buyer, and runner-up offers down a sealed-bid lot's ranking after its winner did not pay.

After every step:
- the ledger balances (`exchange ledger verify` finds nothing) and money is neither created nor lost: what came in
  from outside (payments, invoices, deposits, sample fees) equals, account by account, what the model expects in
  escrow, deposits held, credit receivable, refunds payable and the payees (seller, platform, broker);
- every order, dispute and runner-up offer is where the tables predict (a wrong state is a 409 naming the state,
  a wrong side a 403, a third organisation a 404, and none of them changes anything);
- no deadline fired twice (two deadline workers run at every tick).

The suite runs a fixed, derandomized, bounded set of examples. A longer run:

    ORDER_MACHINE_EXAMPLES=300 ORDER_MACHINE_STEPS=60 .venv/bin/pytest -p no:cacheprovider -n 0 \
        tests/integration/orders/test_order_machine.py
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from exchange.clock import ManualClock
from exchange.disputes import rules as dispute_rules
from exchange.disputes.models import Dispute
from exchange.ledger import accounts
from exchange.ledger.models import LedgerAccount
from exchange.money import format_minor
from exchange.orders import rules, runner_up
from exchange.orders.models import Order, RunnerUpOffer
from tests.conftest import Actor
from tests.support.order_sources import Made, Sources, minor
from tests.support.orders import SHIPMENT, assert_ledger_balances, fire_deadlines
from tests.support.stack import Stack, private_stack

T = TypeVar("T")
EXAMPLES = int(os.environ.get("ORDER_MACHINE_EXAMPLES", "5"))
STEPS = int(os.environ.get("ORDER_MACHINE_STEPS", "50"))
CREDIT_LIMIT_MINOR = 5_000_000
NET_DAYS = 30
MAX_ORDERS = 5
REACHED: Counter[str] = Counter()
"""What the examples reached (the run must reach the interesting states and sources)."""
ACTIONS = ("pay", "ship", "deliver", "mark-delivered", "inspect", "dispute", "accept")
SIDES = ("right", "buyer", "seller", "admin", "third")
"""The side the table expects for the action ("right"), or anyone."""
RIGHT_SIDE = {
    "pay": "buyer",
    "ship": "seller",
    "deliver": "buyer",
    "mark-delivered": "seller",
    "inspect": "buyer",
    "dispute": "buyer",
    "accept": "buyer",
}
PATHS = {"inspect": "inspection", "dispute": "disputes"}
HOLDS_ESCROW = frozenset({"paid", "shipped", "delivered", "inspecting", "disputed"})
DISPUTE_ACTIONS = ("accept", "offer", "reject", "accept_offer", "escalate", "refund", "partial_refund", "release")
DISPUTE_RIGHT_SIDE = {"accept": "seller", "offer": "seller", "reject": "seller", "accept_offer": "buyer"}
DISPUTE_RIGHT_SIDE |= {"escalate": "buyer", "refund": "admin", "partial_refund": "admin", "release": "admin"}
DECIDE = {"refund": "decide", "partial_refund": "decide", "release": "decide"}
"""The admin's outcomes are one move of the dispute table."""
SHARES = (10, 50, 100)
"""Refunds claimed, offered or decided, as a percentage of the order's amount."""


@dataclass
class DisputeModel:
    id: int
    status: str
    claimed: int
    answer_due: datetime
    offer: int | None = None


@dataclass
class Model:
    """What the tables predict for one order, and the money it holds."""

    id: int
    buyer: Actor
    source: str
    lot_id: int
    amount: int = 0
    amount_due: int = 0
    deposit: int = 0
    status: str = "awaiting_payment"
    on_credit: bool = False
    invoice_due: datetime | None = None
    invoice_paid: bool = False
    deadlines: dict[str, datetime] = field(default_factory=dict)
    dispute: DisputeModel | None = None
    walks_away: bool = False
    """The buyer means not to pay: the steps that drive orders forward leave it to the payment deadline."""


@dataclass
class OfferModel:
    id: int
    lot_id: int
    bidder: Actor
    amount: int
    due: datetime
    status: str = "offered"


@dataclass
class Money:
    """What the ledger must hold: money in from outside, and where it sits."""

    inflow: int = 0
    deposits: Counter[int] = field(default_factory=Counter)
    receivable: Counter[int] = field(default_factory=Counter)
    refunds: Counter[int] = field(default_factory=Counter)
    payees: int = 0
    """Seller payable + platform revenue + broker commission."""


async def test_random_actions_keep_the_ledger_balanced_and_follow_the_tables(database_backend: str) -> None:
    clock = ManualClock(datetime.now(UTC))
    REACHED.clear()
    async with private_stack(scheduler=False, clock=clock, backend=database_backend) as stack:
        loop = asyncio.get_running_loop()

        def run(coroutine: Coroutine[Any, Any, T]) -> T:
            return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=120)

        make_org = stack.make_org
        cast = Cast(*[await make_org(kind) for kind in ("seller", "buyer", "buyer", "buyer", "buyer", "broker")])
        machine = _machine(stack, clock, run, cast)
        config = settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=(Phase.explicit, Phase.reuse, Phase.generate),  # no shrinking: the database outlives examples
        )
        await asyncio.to_thread(run_state_machine_as_test, machine, settings=config)
    print(f"order machine reached: {dict(sorted(REACHED.items()))}")
    wanted = {"settled", "cancelled", "resolved", "source:award", "source:quote", "source:proposal", "sample"}
    wanted |= {"source:runner_up", "runner_up_offered", "invoice_paid", "refund:part"}
    assert wanted <= set(REACHED), wanted - set(REACHED)


@dataclass
class Cast:
    """The organisations every example shares (registering one costs two password hashes); each example adds its
    own buyer on credit terms, and starts from where the earlier examples left these orgs' accounts."""

    seller: Actor
    cash_buyer: Actor
    runner: Actor
    second_runner: Actor
    third: Actor
    broker: Actor


def _machine(stack: Stack, clock: ManualClock, run: Any, cast: Cast) -> type[RuleBasedStateMachine]:
    client, db = stack.client, stack.db
    admin = stack.make_org.admin

    class OrderMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.seller, self.cash_buyer, self.third = cast.seller, cast.cash_buyer, cast.third
            self.credit_buyer = run(stack.make_org("buyer"))
            self.runners = [cast.runner, cast.second_runner]
            self.sources = Sources(client, db, self.seller, cast.broker)
            granted = run(
                client.post(
                    f"/api/admin/orgs/{self.credit_buyer.org_id}/credit",
                    json={"limit": "50000.00", "net_days": NET_DAYS},
                    headers=admin.headers,
                )
            )
            assert granted.status_code == 200, granted.text
            self.orders: list[Model] = []
            self.offers: list[OfferModel] = []
            self.bids: dict[int, list[tuple[Actor, int]]] = {}
            self.money = Money()
            self.fired: Counter[tuple[Any, ...]] = Counter()
            self.before = run(_ledger_positions())  # the earlier examples' money, which no longer moves

        # --- making orders -------------------------------------------------------------------

        def _adopt(self, order_id: int, buyer: Actor, source: str, lot_id: int, deposit: int = 0) -> Model:
            model = Model(order_id, buyer, source, lot_id, deposit=deposit)
            view = self._refresh(model)
            model.amount = minor(view["amount"])
            assert model.amount_due == model.amount - deposit
            self.orders.append(model)
            REACHED[f"source:{source}"] += 1
            return model

        def _refresh(self, model: Model) -> dict[str, Any]:
            view = run(client.get(f"/api/orders/{model.id}", headers=model.buyer.headers)).json()
            model.amount_due = minor(view["amount_due"])
            model.deadlines = {name: datetime.fromisoformat(at) for name, at in view["deadlines"].items()}
            return dict(view)

        def _buyer(self, credit: bool) -> Actor:
            return self.credit_buyer if credit else self.cash_buyer

        @initialize(
            source=st.sampled_from(["purchase", "quote", "sample"]),
            credit=st.lists(st.booleans(), min_size=3, max_size=3),
            price=st.sampled_from([1_000_000, 2_000_000, 4_000_000]),
        )
        def first_orders(self, source: str, credit: list[bool], price: int) -> None:
            """Every example starts with a sealed-bid award whose winner walks away (only a wrong-footed random step
            pays it), a broker's proposal bought on credit terms and one other sale."""
            credit[1] = True  # the proposal's client buys on credit terms
            for made, on_credit in zip(("award", "proposal", source), credit, strict=True):
                self.new_order(made, on_credit, price)
            if self.orders and self.orders[0].source == "award":
                self.orders[0].walks_away = True

        @precondition(lambda self: len(self.orders) < MAX_ORDERS)
        @rule(
            source=st.sampled_from(["purchase", "award", "quote", "sample", "proposal"]),
            credit=st.booleans(),
            price=st.sampled_from([1_000_000, 2_000_000, 4_000_000]),
        )
        def new_order(self, source: str, credit: bool, price: int) -> None:
            buyer, now = self._buyer(credit), clock.now()
            overdue = self._overdue(buyer)
            if source == "purchase":
                answer = run(self.sources.purchase(buyer, price, now))
                if self._refused_when_overdue(answer, overdue):
                    self._adopt(int(answer.json()["id"]), buyer, "purchase", int(answer.json()["lot_id"]))
            elif source == "proposal":
                answer, lot_id = run(self.sources.proposal(buyer, now, price))
                if self._refused_when_overdue(answer, overdue):
                    (order,) = answer.json()["orders"]
                    self._adopt(int(order["id"]), buyer, "proposal", lot_id)
            elif overdue:
                return  # bids and RFQ accepts refuse an overdue buyer (tests/integration/orders/test_credit_terms.py)
            elif source == "award":
                bidders = [(buyer, "900.00"), (self.runners[0], "800.00"), (self.runners[1], "700.00")]
                self._made(run(self.sources.award(bidders, now)), buyer, "award")
            else:
                self._made(run(self.sources.quote(buyer, now, sample=source == "sample")), buyer, "quote")

        def _refused_when_overdue(self, answer: Any, overdue: bool) -> bool:
            if overdue:
                assert (answer.status_code, answer.json()["code"]) == (403, "invoice_overdue"), answer.text
                return False
            assert answer.status_code == 201, answer.text
            return True

        def _made(self, made: Made, buyer: Actor, source: str) -> None:
            model = self._adopt(made.order_id, buyer, source, made.lot_id, made.deposit_posted)
            self.money.inflow += made.deposit_posted + made.sample_fee
            self.money.deposits[buyer.user_id] += made.deposit_posted
            self.money.payees += made.sample_fee
            if made.bids:
                self.bids[made.lot_id] = made.bids
            if made.sample_fee:
                REACHED["sample"] += 1
            assert model.deposit == made.deposit_posted

        # --- the tables' prediction ------------------------------------------------------------

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
            return {"buyer": model.buyer, "seller": self.seller, "third": self.third}.get(side) or admin

        # --- order actions ---------------------------------------------------------------------

        @precondition(lambda self: bool(self.orders))
        @rule(data=st.data())
        def act_rightly(self, data: st.DataObject) -> None:
            """The next step the tables allow an unfinished order (by the right side), so runs reach later states."""
            unfinished = [
                o
                for o in self.orders
                if (o.status not in rules.FINISHED or o in self._ranked_cancelled())
                and not (o.walks_away and o.status == "awaiting_payment")
            ]
            model = data.draw(st.sampled_from(unfinished or self.orders))
            share = data.draw(st.sampled_from(SHARES))
            if model in self._ranked_cancelled():
                waiting = [f for f in self.offers if f.lot_id == model.lot_id and f.status == "offered"]
                if waiting:
                    self._answer_runner_up(waiting[0], True, "right")
                else:
                    self._offer_runner_up(model, "seller")
                return
            dispute = model.dispute
            if dispute is not None and dispute.status != "resolved":
                fitting = [
                    a
                    for a in DISPUTE_ACTIONS
                    if a != "escalate"
                    and dispute_rules.dispute_move(DECIDE.get(a, a), DISPUTE_RIGHT_SIDE[a], dispute.status)
                ]
                action = data.draw(st.sampled_from(fitting or ["escalate"]))
                self._dispute_step(model, action, DISPUTE_RIGHT_SIDE[action], min(share, 50))
                return
            facts = self._facts(model)
            fitting = [
                a for a in ACTIONS if rules.transition_for(a.replace("-", "_"), model.status, RIGHT_SIDE[a], facts)
            ]
            if rules.ON_CREDIT in facts and model.status == "awaiting_payment" and not self._overdue(model.buyer):
                fitting = ["ship"]  # what credit terms are for
            action = data.draw(st.sampled_from(fitting or list(ACTIONS)))
            self._act(model, action, RIGHT_SIDE[action], share)

        @precondition(lambda self: bool(self.orders))
        @rule(data=st.data(), action=st.sampled_from(ACTIONS), side=st.sampled_from(SIDES))
        def act(self, data: st.DataObject, action: str, side: str) -> None:
            model = data.draw(st.sampled_from(self.orders))
            side = RIGHT_SIDE[action] if side == "right" else side
            self._act(model, action, side, data.draw(st.sampled_from(SHARES)))

        def _act(self, model: Model, action: str, side: str, share: int) -> None:
            actor = self._actor(model, side)
            body = self._body(model, action, share)
            if side == "third":
                answer = run(self._call(model, action, actor, body))
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
                    answer = run(self._call(model, action, actor, body))
                    assert answer.status_code == 409, answer.text
                    assert answer.json()["code"] == "credit_limit"
                    return
            answer = run(self._call(model, action, actor, body))
            if row is None:
                assert answer.status_code in (403, 409), (action, side, model.status, answer.text)
                if answer.status_code == 409:
                    assert answer.json()["state"] == model.status
                return
            assert answer.status_code in (200, 201), (action, side, model.status, answer.text)
            self._moved(model, name, facts, answer.json())
            view = self._refresh(model)
            assert view["status"] == model.status

        def _moved(self, model: Model, name: str, facts: set[str], answer: dict[str, Any]) -> None:
            if name == "pay":
                self._paid(model, answer)
            elif name == "ship":
                if rules.ON_CREDIT in facts and not model.on_credit and model.status == "awaiting_payment":
                    model.on_credit, model.invoice_due = True, clock.now() + timedelta(days=NET_DAYS)
                    self.money.receivable[model.buyer.user_id] -= model.amount_due
                    self.money.deposits[model.buyer.user_id] -= model.deposit
                model.status = "shipped"
            elif name in ("deliver", "mark_delivered"):
                model.status = "delivered"
            elif name == "inspect":
                model.status = "inspecting"
            elif name == "dispute":
                model.status = "disputed"
                due = datetime.fromisoformat(answer["answer_due_at"])
                model.dispute = DisputeModel(answer["id"], "open", minor(answer["claimed_refund"]), due)
            elif name == "accept":
                self._finished(model, "settled", refund=0)

        def _body(self, model: Model, action: str, share: int) -> dict[str, Any] | None:
            if action == "inspect":
                defective = 1 if share >= 50 else 0  # a sealed-bid lot here is one unit
                return {"units_inspected": 1, "units_defective": defective, "notes": "Checked at the dock."}
            if action == "dispute":
                claim = format_minor(model.amount * share // 100, "CNY")
                return {"reason": "Stained rolls.", "claimed_refund": claim}
            return {"ship": SHIPMENT, "mark-delivered": {"proof": "signed for at the dock"}}.get(action)

        def _call(self, model: Model, action: str, actor: Actor, body: dict[str, Any] | None) -> Any:
            path = PATHS.get(action, action)
            return client.post(f"/api/orders/{model.id}/{path}", json=body, headers=actor.headers)

        def _paid(self, model: Model, started: dict[str, Any]) -> None:
            steps = started["instructions"]
            for _replay in range(2):
                confirmed = run(client.post(steps["path"], json=steps["body"], headers=steps["headers"]))
                assert confirmed.status_code == 200, confirmed.text
            self.money.inflow += model.amount_due
            if started["purpose"] == "order":
                model.status = "paid"
                self.money.deposits[model.buyer.user_id] -= model.deposit
            else:
                model.invoice_paid = True
                self.money.receivable[model.buyer.user_id] += model.amount_due
                REACHED["invoice_paid"] += 1

        def _finished(self, model: Model, status: str, *, refund: int) -> None:
            model.status = status
            self.money.refunds[model.buyer.user_id] += refund
            self.money.payees += model.amount - refund
            if refund:
                REACHED[f"refund:{'all' if refund == model.amount else 'part'}"] += 1

        # --- disputes ----------------------------------------------------------------------------

        def _disputed(self) -> list[Model]:
            return [o for o in self.orders if o.dispute]

        @precondition(lambda self: bool(self._disputed()))
        @rule(data=st.data(), action=st.sampled_from(DISPUTE_ACTIONS), side=st.sampled_from(SIDES))
        def dispute_step(self, data: st.DataObject, action: str, side: str) -> None:
            model = data.draw(st.sampled_from(self._disputed()))
            side = DISPUTE_RIGHT_SIDE[action] if side == "right" else side
            self._dispute_step(model, action, side, data.draw(st.sampled_from(SHARES[:2])))

        def _dispute_step(self, model: Model, action: str, side: str, share: int) -> None:
            dispute = model.dispute
            assert dispute is not None
            amount = model.amount * share // 100
            answer = run(self._dispute_call(dispute.id, action, self._actor(model, side), amount))
            if side == "third":
                assert answer.status_code == 404, answer.text
                return
            move = dispute_rules.dispute_move(DECIDE.get(action, action), side, dispute.status)
            possible = move is not None and not (
                (action == "accept_offer" and dispute.offer is None)
                or (action == "escalate" and dispute.status == "open" and clock.now() < dispute.answer_due)
            )
            if not possible:
                assert answer.status_code in (403, 409), (action, side, dispute.status, answer.text)
                if answer.status_code == 409 and "state" in answer.json():
                    assert answer.json()["state"] == dispute.status
                return
            assert move is not None
            assert answer.status_code == 200, (action, side, dispute.status, answer.text)
            dispute.status = move.target
            refund = {"accept": dispute.claimed, "accept_offer": dispute.offer or 0, "refund": model.amount}
            refund |= {"partial_refund": amount, "release": 0}
            if action == "offer":
                dispute.offer = amount
            if move.target == "resolved":
                self._finished(model, "resolved", refund=refund[action])
                assert minor(answer.json()["refund"]) == refund[action]
            assert answer.json()["status"] == dispute.status

        def _dispute_call(self, dispute_id: int, action: str, actor: Actor, amount: int) -> Any:
            base, money = f"/api/disputes/{dispute_id}", format_minor(amount, "CNY")
            if action in ("accept", "offer", "reject"):
                body: dict[str, Any] = {"answer": action, "message": "Our answer."}
                if action == "offer":
                    body["amount"] = money
                return client.post(f"{base}/answer", json=body, headers=actor.headers)
            if action in ("accept_offer", "escalate"):
                return client.post(f"{base}/{action.replace('_', '-')}", headers=actor.headers)
            body = {"outcome": action, "reason": "Photos show stains."}
            if action == "partial_refund":
                body["amount"] = money
            return client.post(f"{base}/decide", json=body, headers=actor.headers)

        # --- runner-up offers after non-payment ----------------------------------------------------

        def _ranked_cancelled(self) -> list[Model]:
            return [o for o in self.orders if o.status == "cancelled" and o.source in ("award", "runner_up")]

        @precondition(lambda self: bool(self._ranked_cancelled()))
        @rule(data=st.data(), side=st.sampled_from(SIDES))
        def offer_runner_up(self, data: st.DataObject, side: str) -> None:
            model = data.draw(st.sampled_from(self._ranked_cancelled()))
            self._offer_runner_up(model, "seller" if side == "right" else side)

        def _offer_runner_up(self, model: Model, side: str) -> None:
            path = f"/api/orders/{model.id}/runner-up-offer"
            answer = run(client.post(path, headers=self._actor(model, side).headers))
            if side != "seller":
                assert answer.status_code == (404 if side == "third" else 403), answer.text
                return
            live = any(o.lot_id == model.lot_id and o.status != "cancelled" for o in self.orders)
            open_offer = any(f.lot_id == model.lot_id and f.status == "offered" for f in self.offers)
            asked = {f.bidder.user_id for f in self.offers if f.lot_id == model.lot_id}
            bought = {o.buyer.user_id for o in self.orders if o.lot_id == model.lot_id}
            left = [(b, a) for b, a in self.bids[model.lot_id] if b.user_id not in asked | bought]
            if live or open_offer or not left:
                assert (answer.status_code, answer.json()["code"]) == (409, "no_runner_up"), answer.text
                return
            assert answer.status_code == 201, answer.text
            made = answer.json()
            bidder, amount = left[0]
            assert (made["org_id"], minor(made["amount"])) == (bidder.org_id, amount)
            self.offers.append(
                OfferModel(made["id"], model.lot_id, bidder, amount, datetime.fromisoformat(made["due_at"]))
            )
            REACHED["runner_up_offered"] += 1

        @precondition(lambda self: bool(self.offers))
        @rule(data=st.data(), accept=st.booleans(), side=st.sampled_from(("right", "seller", "admin", "third")))
        def answer_runner_up(self, data: st.DataObject, accept: bool, side: str) -> None:
            self._answer_runner_up(data.draw(st.sampled_from(self.offers)), accept, side)

        def _answer_runner_up(self, offer: OfferModel, accept: bool, side: str) -> None:
            actor = {"right": offer.bidder, "seller": self.seller, "third": self.third}.get(side) or admin
            path = f"/api/runner-up-offers/{offer.id}/{'accept' if accept else 'decline'}"
            answer = run(client.post(path, headers=actor.headers))
            if side != "right":
                assert answer.status_code == 404, answer.text
                return
            if offer.status != "offered":
                assert (answer.status_code, answer.json()["code"]) == (409, "runner_up_offer_closed"), answer.text
                return
            assert answer.status_code == 200, answer.text
            offer.status = "accepted" if accept else "declined"
            assert answer.json()["status"] == offer.status
            if accept:
                model = self._adopt(answer.json()["order_id"], offer.bidder, "runner_up", offer.lot_id)
                assert model.amount == offer.amount

        # --- the clock ---------------------------------------------------------------------------

        @rule(hours=st.sampled_from([1, 6, 12, 25, 49, 73, 24 * 31]))
        def time_passes(self, hours: int) -> None:
            clock.advance(hours * 3600)
            now = clock.now()
            fired = run(fire_deadlines(db, now))
            fired += run(fire_deadlines(db, now))  # a second worker finds nothing left
            self.fired.update(fired)
            lapsed = run(runner_up.lapse_due(db, now))  # earlier examples' offers lapse beside this one's
            assert run(runner_up.lapse_due(db, now)) == 0  # a second worker finds nothing left
            expected_lapses = [f for f in self.offers if f.status == "offered" and f.due <= now]
            assert lapsed >= len(expected_lapses)
            for offer in expected_lapses:
                offer.status = "lapsed"
                self.fired[("offer", offer.id)] += 1
            for model in self.orders:
                self._clock_moves(model, now)
                self._refresh(model)

        def _clock_moves(self, model: Model, now: datetime) -> None:
            payment, inspection = model.deadlines.get("payment"), model.deadlines.get("inspection")
            if model.status == "awaiting_payment" and payment is not None and payment <= now:
                model.status = "cancelled"
                self.money.deposits[model.buyer.user_id] -= model.deposit
                self.money.payees += model.deposit  # forfeited to the seller, less the platform's fee
            elif model.status in ("delivered", "inspecting") and inspection is not None and inspection <= now:
                self._finished(model, "settled", refund=0)
            dispute = model.dispute
            if dispute is not None and dispute.status in ("open", "offered") and dispute.answer_due <= now:
                dispute.status = "escalated"

        # --- invariants ------------------------------------------------------------------------

        def teardown(self) -> None:
            """Let every deadline of this example pass, so that its orders move no more money in the next one."""
            clock.advance(60 * 24 * 3600)
            run(fire_deadlines(db, clock.now()))
            run(runner_up.lapse_due(db, clock.now()))
            REACHED.update(model.status for model in self.orders)
            REACHED.update(f"dispute:{o.dispute.status}" for o in self.orders if o.dispute)

        @invariant()
        def orders_disputes_and_offers_are_where_the_tables_say(self) -> None:
            seen = run(_statuses(tuple(o.id for o in self.orders), tuple(f.id for f in self.offers)))
            for model in self.orders:
                assert seen[("order", model.id)] == model.status, (model, seen[("order", model.id)])
                if model.dispute is not None:
                    assert seen[("dispute", model.id)] == model.dispute.status, (model, seen[("dispute", model.id)])
            for offer in self.offers:
                assert seen[("offer", offer.id)] == offer.status, (offer, seen[("offer", offer.id)])

        @invariant()
        def money_is_neither_created_nor_lost(self) -> None:
            run(assert_ledger_balances(db))
            now = run(_ledger_positions())

            def held(purpose: str, owner: int | None = None) -> int:
                return now.get((purpose, owner), 0) - self.before.get((purpose, owner), 0)

            money = self.money
            assert -held(accounts.EXTERNAL) == money.inflow
            for model in self.orders:
                expected = model.amount if model.status in HOLDS_ESCROW else 0
                assert held(accounts.ESCROW, model.id) == expected, model
            for buyer in (self.cash_buyer, self.credit_buyer, *self.runners):
                who = buyer.org_id
                assert held(accounts.DEPOSITS_HELD, who) == money.deposits[buyer.user_id], buyer
                assert held(accounts.CREDIT_RECEIVABLE, who) == money.receivable[buyer.user_id], buyer
                assert held(accounts.REFUNDS_PAYABLE, who) == money.refunds[buyer.user_id], buyer
            payees = (
                held(accounts.SELLER_PAYABLE, self.seller.org_id)
                + held(accounts.PLATFORM_REVENUE)
                + held(accounts.BROKER_COMMISSION, self.sources.broker.org_id)
            )
            assert payees == money.payees

        @invariant()
        def each_deadline_fires_once(self) -> None:
            assert [key for key, times in self.fired.items() if times > 1] == []

    async def _statuses(order_ids: tuple[int, ...], offer_ids: tuple[int, ...]) -> dict[tuple[str, int], str]:
        """The status of each order, of its dispute (by order id) and of each runner-up offer, in one read (every
        move the rules make is also checked through the API's answer)."""
        async with db() as session:
            found = {
                ("order", i): s
                for i, s in await session.execute(select(Order.id, Order.status).where(Order.id.in_(order_ids)))
            }
            disputes = await session.execute(
                select(Dispute.order_id, Dispute.status).where(Dispute.order_id.in_(order_ids))
            )
            found |= {("dispute", i): s for i, s in disputes}
            offers = await session.execute(
                select(RunnerUpOffer.id, RunnerUpOffer.status).where(RunnerUpOffer.id.in_(offer_ids))
            )
            found |= {("offer", i): s for i, s in offers}
            return found

    async def _ledger_positions() -> dict[tuple[str, int | None], int]:
        """{(purpose, owner org or order): posted balance} over every account of this stack's ledger."""
        async with db() as session:
            rows = await session.execute(
                select(
                    LedgerAccount.purpose,
                    func.coalesce(LedgerAccount.order_id, LedgerAccount.org_id),
                    func.sum(LedgerAccount.posted),
                ).group_by(LedgerAccount.purpose, LedgerAccount.order_id, LedgerAccount.org_id)
            )
            return {(purpose, owner): int(total or 0) for purpose, owner, total in rows.all()}

    return OrderMachine
