"""Demo orders after the sale: one order in every state, made through the order and dispute services.

Each lot of `orders.toml` is posted, sold and taken through its story on a demo clock that walks the
last two weeks (oldest step first), so timelines, deadlines and the audit log read as if it happened:
an order awaiting payment, paid, shipped, delivered, being inspected, settled (with its statement),
one with an open dispute, one waiting in the admins' arbitration queue, one resolved by the seller's
accepted offer, and one cancelled for non-payment. Deadlines still running fall due in the future.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.accounts.services import load_principal
from exchange.clock import ManualClock
from exchange.demo.context import DemoContext
from exchange.demo.lots import demo_lots, lot_body
from exchange.disputes import rules as dispute_rules
from exchange.disputes import schemas as dispute_schemas
from exchange.disputes import services as disputes
from exchange.lots import services as lot_services
from exchange.orders import actions, schemas
from exchange.orders.checkout import pay_now
from exchange.orders.models import Order
from exchange.orders.services import create_order_for_lot
from exchange.runtime import Runtime
from exchange.settings import Settings

__all__ = ["STORIES", "load_orders"]

STORIES: dict[str, tuple[tuple[float, str], ...]] = {
    # story: (hours before now, step) — each order's life, oldest step first
    "awaiting_payment": ((6, "buy"),),
    "paid": ((30, "buy"), (20, "pay")),
    "shipped": ((72, "buy"), (70, "pay"), (24, "ship")),
    "delivered": ((96, "buy"), (94, "pay"), (50, "ship"), (5, "deliver")),
    "inspecting": ((120, "buy"), (118, "pay"), (60, "ship"), (12, "mark_delivered"), (8, "inspect_defects")),
    "settled": ((240, "buy"), (236, "pay"), (200, "ship"), (150, "deliver"), (140, "inspect_clean"), (139, "accept")),
    "disputed": (
        (144, "buy"), (140, "pay"), (96, "ship"), (40, "deliver"), (30, "inspect_defects"), (24, "dispute"),
        (20, "message"),
    ),
    "escalated": (
        (200, "buy"), (196, "pay"), (150, "ship"), (120, "deliver"), (110, "inspect_defects"), (100, "dispute"),
        (30, "reject"),
    ),
    "resolved": (
        (300, "buy"), (296, "pay"), (250, "ship"), (200, "deliver"), (190, "inspect_defects"), (185, "dispute"),
        (160, "offer"), (150, "accept_offer"),
    ),
    "cancelled": ((120, "buy"), (48, "cancel_unpaid")),
}  # fmt: skip


class _Quiet:
    """Live events of the demo go nowhere: no page is open while it loads."""

    def publish(self, channel: str, event: str, data: dict[str, Any] | None = None) -> None:
        return None


@dataclass
class _DemoRuntime:
    """What the order services read of a runtime (settings, the clock, live events) for a demo run without
    Redis or a bid engine."""

    settings: Settings
    clock: ManualClock
    live: _Quiet = field(default_factory=_Quiet)


@dataclass
class _Story:
    name: str
    raw: dict[str, Any]
    seller: Principal
    buyer: Principal
    lot_id: int = 0
    price_minor: int = 0
    size: int = 1
    order_id: int = 0
    dispute_id: int = 0
    claimed: str = "0"


def _demo_orders() -> list[dict[str, Any]]:
    text = resources.files("exchange.demo").joinpath("orders.toml").read_text(encoding="utf-8")
    return list(tomllib.loads(text)["lots"])


async def _principal(session: AsyncSession, context: DemoContext, handle: str) -> Principal:
    principal = await load_principal(session, context.users[handle])
    if principal is None:
        raise RuntimeError("demo organisations must be loaded before demo orders")
    return principal


def _inspection(story: _Story, defective_share: Decimal) -> dispute_schemas.InspectionCreate:
    sample = dispute_rules.sample_size(story.size, "flat")
    defective = int(sample * defective_share)
    stains = defective * 2 // 3
    return dispute_schemas.InspectionCreate(
        units_inspected=sample,
        units_defective=defective,
        defects_by_kind={"stains": stains, "wrong shade": defective - stains} if defective else {},
        sampling="flat",
        observed_grade="B" if defective else None,
        notes="Sampled evenly across the pallets." if defective else "Clean sample.",
    )


async def _step(session: AsyncSession, runtime: Runtime, story: _Story, step: str) -> None:
    now = runtime.clock.now()
    if step == "buy":
        await lot_services.publish_lot(session, story.seller, story.lot_id, now=now - timedelta(hours=2))
        order = await create_order_for_lot(
            session,
            story.lot_id,
            buyer_org_id=story.buyer.org_id or 0,
            amount_minor=story.price_minor,
            source="purchase",
            at=now,
            payment_window=runtime.settings.orders.payment_window,
        )
        story.order_id = order.id
    elif step == "pay":
        await pay_now(session, runtime, story.buyer, story.order_id)
    elif step == "ship":
        shipment = schemas.ShipIn(
            carrier="SF Express", tracking_number=f"SF{7_310_000_000 + story.order_id}", packages=8, weight="2.4 t"
        )
        await actions.ship(session, runtime, story.seller, story.order_id, shipment)
    elif step == "deliver":
        await actions.deliver(session, runtime, story.buyer, story.order_id)
    elif step == "mark_delivered":
        proof = schemas.MarkDeliveredIn(proof="Signed for at the buyer's goods-in dock by Mr. Zhao, 09:40.")
        await actions.mark_delivered(session, runtime, story.seller, story.order_id, proof)
    elif step in ("inspect_clean", "inspect_defects"):
        share = Decimal("0") if step == "inspect_clean" else Decimal("0.08")
        found = _inspection(story, share)
        await disputes.record_inspection(session, story.buyer, story.order_id, found, runtime=runtime)
    elif step == "accept":
        await actions.accept(session, runtime, story.buyer, story.order_id)
    elif step == "dispute":
        reason = "About 8 % of the sample is stained or off-shade, and the shade is grade B, not the A listed."
        opened = await disputes.open_dispute(
            session, story.buyer, story.order_id, dispute_schemas.DisputeCreate(reason=reason), runtime=runtime
        )
        story.dispute_id, story.claimed = opened.id, opened.claimed_refund
    elif step == "message":
        body = "We are checking the dispatch photos of these rolls and will answer by tomorrow."
        await disputes.add_message(
            session, story.seller, story.dispute_id, dispute_schemas.MessageCreate(body=body), runtime=runtime
        )
    elif step == "reject":
        answer = dispute_schemas.DisputeAnswer(
            answer="reject", message="The sheets left our mill within tolerance; the mill certificate is attached."
        )
        await disputes.answer_dispute(session, story.seller, story.dispute_id, answer, runtime=runtime)
    elif step == "offer":
        half = (Decimal(story.claimed) / 2).quantize(Decimal("0.01"))
        answer = dispute_schemas.DisputeAnswer(
            answer="offer", amount=str(half), message="We can refund half of the claim for the affected units."
        )
        await disputes.answer_dispute(session, story.seller, story.dispute_id, answer, runtime=runtime)
    elif step == "accept_offer":
        await disputes.accept_offer(session, story.buyer, story.dispute_id, runtime=runtime)
    elif step == "cancel_unpaid":  # the deadline job's move when the payment deadline passes
        unpaid = await session.get(Order, story.order_id)
        assert unpaid is not None
        await actions.cancel_unpaid(session, unpaid, now)
    else:
        raise ValueError(f"unknown demo order step {step!r}")


async def load_orders(session: AsyncSession, context: DemoContext) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    clock = ManualClock(now)
    runtime = cast(Runtime, _DemoRuntime(settings=Settings.from_env(), clock=clock))
    stories: list[_Story] = []
    places = demo_lots().get("places", {})
    for raw in _demo_orders():
        raw = {**raw, "location": places.get(raw["seller"], {"city": "", "region": "", "country": "CN"})}
        seller = await _principal(session, context, raw["seller"])
        story = _Story(raw["story"], raw, seller, await _principal(session, context, raw["buyer"]))
        lot = await lot_services.create_lot(session, seller, lot_body(raw, context, now))
        story.lot_id, story.price_minor = lot.id, lot.price_minor or 0
        story.size = dispute_rules.lot_size(lot.quantity_value)
        stories.append(story)
    steps = sorted(
        ((hours, index, step) for index, s in enumerate(stories) for hours, step in STORIES[s.name]),
        key=lambda item: (-item[0], item[1]),
    )
    for hours, index, step in steps:
        clock.set(now - timedelta(hours=hours))
        await _step(session, runtime, stories[index], step)
        await session.flush()
    by_story = {s.name: s for s in stories}
    states = ", ".join(f"#{s.order_id} {s.name.replace('_', ' ')}" for s in stories)
    context.report.append(
        f"orders  {states}; dispute {by_story['disputed'].dispute_id} awaits the seller's answer, dispute "
        f"{by_story['escalated'].dispute_id} the admins' decision; order #{by_story['settled'].order_id} has its "
        f"statement at /orders/{by_story['settled'].order_id}/statement"
    )
