"""msgspec Structs for the fee schedule API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

__all__ = ["FeeSchedule", "FeeScheduleIn", "TierIn", "TierOut"]

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
