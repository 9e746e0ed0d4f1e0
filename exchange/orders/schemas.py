"""msgspec Structs for orders, their actions, payments, credit terms and runner-up offers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from exchange.paging import Page

__all__ = [
    "Credit",
    "CreditIn",
    "Fees",
    "MarkDeliveredIn",
    "Order",
    "PaymentInstructions",
    "PaymentStarted",
    "RunnerUpOffer",
    "ShipIn",
    "TimelineEntry",
]

ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
UploadIds = Annotated[list[Annotated[int, msgspec.Meta(gt=0, le=2_147_483_647)]], msgspec.Meta(max_length=20)]


class TimelineEntry(msgspec.Struct):
    status: str
    at: datetime
    by: str
    action: str


class Fees(msgspec.Struct):
    platform_fee: str
    broker_commission: str
    seller_net: str


class Order(msgspec.Struct):
    id: int
    lot_id: int
    buyer_org_id: int
    seller_org_id: int
    amount: str
    currency: str
    status: str
    source: str
    created_at: datetime
    terms: dict[str, Any] = {}
    lot_title: str | None = None
    deadlines: dict[str, datetime] = {}
    """Running deadlines by name (payment, inspection, dispute_answer, admin_decision)."""
    allowed_actions: list[str] = []
    """What the caller may do now."""
    timeline: list[TimelineEntry] = []
    shipment: dict[str, Any] = {}
    on_credit: bool = False
    invoice_due_at: datetime | None = None
    invoice_paid_at: datetime | None = None
    amount_due: str | None = None
    """What the buyer pays now (the amount less its bid deposit); the buyer's and admins' view."""
    fees: Fees | None = None
    """The seller's and admins' view only."""


class ShipIn(msgspec.Struct, forbid_unknown_fields=True):
    carrier: ShortText
    tracking_number: ShortText
    packages: Annotated[int, msgspec.Meta(ge=1, le=100_000)]
    weight: Annotated[str, msgspec.Meta(max_length=24)] | None = None
    """Total weight with its unit, as the carrier states it ("412 kg")."""
    photo_ids: UploadIds = []


class MarkDeliveredIn(msgspec.Struct, forbid_unknown_fields=True):
    proof: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    """The carrier's proof of delivery: a signed-for reference, who received it, when."""
    photo_ids: UploadIds = []


class PaymentInstructions(msgspec.Struct):
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class PaymentStarted(msgspec.Struct):
    payment_id: str
    status: str
    amount: str
    currency: str
    purpose: str
    instructions: PaymentInstructions


class PaymentConfirmed(msgspec.Struct):
    payment_id: str
    status: str
    order_id: int
    order_status: str


class CreditIn(msgspec.Struct, forbid_unknown_fields=True):
    limit: Annotated[str, msgspec.Meta(max_length=24)]
    net_days: int
    currency: str = "CNY"


class Credit(msgspec.Struct):
    org_id: int
    limit: str
    currency: str
    net_days: int
    exposure: str
    available: str
    overdue: bool


class RunnerUpOffer(msgspec.Struct):
    id: int
    lot_id: int
    after_order_id: int
    org_id: int
    amount: str
    currency: str
    status: str
    due_at: datetime
    order_id: int | None = None


class OrderPage(Page[Order]):
    items: list[Order]
