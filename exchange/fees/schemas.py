"""msgspec Structs for the fee schedule API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from exchange.paging import Page

__all__ = [
    "Checkpoint",
    "Confirmation",
    "FeeLineOut",
    "FeeSchedule",
    "FeeScheduleIn",
    "PartyOut",
    "Statement",
    "TierIn",
    "TierOut",
]

MoneyIn = Annotated[str, msgspec.Meta(max_length=32, description='A decimal amount, like "10000.00"')] | int
PercentIn = Annotated[str, msgspec.Meta(max_length=16, description='A percentage from 0 to 100, like "2.5"')] | int


class TierIn(msgspec.Struct, forbid_unknown_fields=True):
    percent: PercentIn
    up_to: MoneyIn | None = None
    """This tier's upper bound (inclusive); leave it out on the last tier. Tiers are marginal brackets."""


class FeeScheduleIn(msgspec.Struct, forbid_unknown_fields=True):
    category: Annotated[str, msgspec.Meta(max_length=80, description='A category code, or "*" for all')]
    tiers: Annotated[list[TierIn], msgspec.Meta(min_length=1, max_length=20)]
    fixed_fee: MoneyIn = "0"
    broker_percent: PercentIn = "0"
    effective_from: datetime | None = None
    """When the version takes effect (now when left out); may be in the future, never in the past."""


class TierOut(msgspec.Struct):
    up_to: str | None
    percent: str


class FeeSchedule(msgspec.Struct):
    id: int
    category: str
    category_label: str
    version: int
    tiers: list[TierOut]
    fixed_fee: str
    broker_percent: str
    effective_from: datetime
    created_at: datetime
    in_force: bool
    """True for the version in force now for its category."""


class FeeLineOut(msgspec.Struct):
    label: str
    amount: str


class PartyOut(msgspec.Struct):
    org_id: int
    name: str


class Checkpoint(msgspec.Struct):
    """The audit log's latest signed checkpoint when the statement was made."""

    size: int
    head_hash: str
    signature: str
    key_id: str
    signed_at: datetime


class Statement(msgspec.Struct):
    """A settlement statement. `fee_lines`, `platform_fee`, `broker_commission` and `seller_net` are shown to
    the seller and admins only; `final` is false until the order is settled or resolved."""

    order_id: int
    lot_id: int
    lot_title: str
    status: str
    currency: str
    buyer: PartyOut
    seller: PartyOut
    gross: str
    refund: str
    final: bool
    generated_at: datetime
    fee_schedule_id: int | None = None
    fee_schedule_version: int | None = None
    fee_lines: list[FeeLineOut] | None = None
    platform_fee: str | None = None
    broker_commission: str | None = None
    seller_net: str | None = None
    checkpoint: Checkpoint | None = None


class Confirmation(msgspec.Struct):
    order_id: int
    lot_id: int
    lot_title: str
    status: str
    source: str
    currency: str
    amount: str
    buyer: PartyOut
    seller: PartyOut
    created_at: datetime
    terms: dict[str, Any] = {}


class FeeSchedulePage(Page[FeeSchedule]):
    items: list[FeeSchedule]
