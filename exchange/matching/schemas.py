"""msgspec Structs of the brokers' desk API.

A proposal has two views: `ProposalForBroker` (cost, margin, commission) and `ProposalForClient`, a
separate Struct with no such fields at all, so no code path can hand the client the broker's numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec

from exchange.auctions.schemas import BidReceipt
from exchange.paging import Page

__all__ = [
    "Bundle",
    "BundleLot",
    "BundlePage",
    "Decline",
    "Explanation",
    "Match",
    "MatchLot",
    "MatchPage",
    "NearMiss",
    "NearMissFailure",
    "ProcurementRequest",
    "ProcurementRequestIn",
    "ProposalAccept",
    "ProposalAccepted",
    "ProposalForBroker",
    "ProposalForClient",
    "ProposalIn",
    "ProposalLineForBroker",
    "ProposalLineForClient",
    "ProposalLineIn",
]

MoneyIn = Annotated[str, msgspec.Meta(max_length=32, description='A decimal amount, like "45.00"')] | int
Short = Annotated[str, msgspec.Meta(max_length=80)]
SpecValue = Annotated[str, msgspec.Meta(max_length=40)] | float | int | bool
Purpose = Literal["gift", "welfare", "promotion"]
Branding = Literal["logo removal", "custom packaging", "relabelling"]
Grade = Literal["A", "B", "C"]


class QuantityIn(msgspec.Struct, forbid_unknown_fields=True):
    value: Annotated[str, msgspec.Meta(max_length=32)] | int | float
    unit: Annotated[str, msgspec.Meta(min_length=1, max_length=24)]


class BudgetIn(msgspec.Struct, forbid_unknown_fields=True):
    max: MoneyIn
    min: MoneyIn | None = None


class BoundIn(msgspec.Struct, forbid_unknown_fields=True):
    gte: SpecValue | None = None
    lte: SpecValue | None = None
    eq: SpecValue | None = None


class ProcurementRequestIn(msgspec.Struct, forbid_unknown_fields=True):
    purpose: Purpose
    quantity: QuantityIn
    budget_per_unit: BudgetIn
    deliver_by: date
    region: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    categories: Annotated[list[Short], msgspec.Meta(min_length=1, max_length=20)]
    client_org_id: Annotated[int, msgspec.Meta(gt=0, le=2_147_483_647)] | None = None
    budget_total: MoneyIn | None = None
    currency: Annotated[str, msgspec.Meta(min_length=3, max_length=3)] = "CNY"
    certificates: Annotated[list[Short], msgspec.Meta(max_length=10)] = []
    requirement_groups: Annotated[list[dict[str, BoundIn]], msgspec.Meta(max_length=10)] = []
    min_shelf_life_days: Annotated[int, msgspec.Meta(ge=0, le=3650)] | None = None
    grades: Annotated[list[Grade], msgspec.Meta(max_length=3)] = []
    branding: Annotated[list[Branding], msgspec.Meta(max_length=3)] = []
    max_sellers: Annotated[int, msgspec.Meta(ge=1, le=100)] | None = None


class Quantity(msgspec.Struct):
    value: str
    unit: str


class Budget(msgspec.Struct):
    max: str
    min: str | None = None


class ProcurementRequest(msgspec.Struct):
    id: int
    client_org_id: int
    broker_org_id: int | None
    purpose: str
    quantity: Quantity
    budget_per_unit: Budget
    budget_total: str | None
    currency: str
    categories: list[str]
    certificates: list[str]
    requirement_groups: list[dict[str, dict[str, Any]]]
    min_shelf_life_days: int | None
    deliver_by: date
    region: str
    grades: list[str]
    branding: list[str]
    max_sellers: int | None
    created_at: datetime


class MatchLot(msgspec.Struct):
    id: int
    title: str
    category: str
    grade: str
    quantity: Quantity
    sale_mode: str
    price: str | None
    """The fixed price, or a sealed-bid lot's minimum bid; null: price on request."""
    currency: str
    seller_org_id: int
    region: str
    city: str


class Explanation(msgspec.Struct, omit_defaults=True):
    constraint: str | None = None
    factor: str | None = None
    passed: bool | None = None
    margin: str | None = None
    contribution: float | None = None


class Match(msgspec.Struct):
    lot: MatchLot
    score: float
    explanation: list[Explanation]


class NearMissFailure(msgspec.Struct):
    constraint: str
    by: str


class NearMiss(msgspec.Struct):
    lot: MatchLot
    failed: NearMissFailure


class MatchPage(msgspec.Struct):
    items: list[Match]
    near_misses: list[NearMiss]
    candidates: int
    """Lots of the accepted categories and grades the client may see that were checked."""


class BundleLot(msgspec.Struct):
    id: int
    title: str
    quantity: Quantity
    price: str
    seller_org_id: int


class Bundle(msgspec.Struct):
    lots: list[BundleLot]
    total: str
    quantity: str
    overage: str
    """Share above the need, like "4.5 %"."""
    sellers: list[int]
    why: str


class BundlePage(msgspec.Struct):
    items: list[Bundle]
    candidates: int


class ProposalLineIn(msgspec.Struct, forbid_unknown_fields=True):
    lot_id: Annotated[int, msgspec.Meta(gt=0, le=2_147_483_647)]
    client_price: MoneyIn
    """The whole lot's price to the client."""


class ProposalIn(msgspec.Struct, forbid_unknown_fields=True):
    request_id: Annotated[int, msgspec.Meta(gt=0, le=2_147_483_647)]
    lines: Annotated[list[ProposalLineIn], msgspec.Meta(min_length=1, max_length=50)]
    valid_until: Annotated[datetime, msgspec.Meta(description="With its time zone, like 2026-12-20T18:00:00Z")]
    note: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class ProposalLineForClient(msgspec.Struct):
    lot_id: int
    title: str
    category: str
    grade: str
    quantity: Quantity
    specs: dict[str, Any]
    region: str
    kind: str
    """buy (fixed price), bid (sealed bid: placed only with consent) or rfq (a quote is asked for)."""
    client_price: str
    outcome: str


class ProposalForClient(msgspec.Struct):
    id: int
    request_id: int
    client_org_id: int
    status: str
    lines: list[ProposalLineForClient]
    total: str
    currency: str
    note: str
    valid_until: datetime
    decline_reason: str
    allowed_actions: list[str]


class ProposalLineForBroker(msgspec.Struct):
    lot_id: int
    title: str
    category: str
    grade: str
    quantity: Quantity
    specs: dict[str, Any]
    region: str
    kind: str
    client_price: str
    outcome: str
    cost: str | None
    margin: str
    commission: str


class ProposalForBroker(msgspec.Struct):
    id: int
    request_id: int
    client_org_id: int
    broker_org_id: int
    status: str
    lines: list[ProposalLineForBroker]
    total: str
    currency: str
    note: str
    valid_until: datetime
    decline_reason: str
    allowed_actions: list[str]
    cost: str
    margin: str
    commission: str
    commission_percent: str


class ProposalAccept(msgspec.Struct, forbid_unknown_fields=True):
    bid_consent: bool = False
    """Place the proposal's sealed-bid lines as bids in your name (without it they are left out)."""


class Decline(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class AcceptedOrder(msgspec.Struct):
    id: int
    lot_id: int
    amount: str
    currency: str
    status: str


class ProposalAccepted(msgspec.Struct):
    orders: list[AcceptedOrder]
    bids: list[BidReceipt]
    """Bids placed in your name (with consent): keep each receipt."""
    rfq_threads: list[int]
    """Negotiations opened in your name for the price-on-request lots."""
    proposal: ProposalForClient


class ProcurementRequestPage(Page[ProcurementRequest]):
    items: list[ProcurementRequest]


@dataclass
class ProposalPage:
    """A `Page` (items, total, next) whose items are of two untagged shapes, which a msgspec Struct cannot hold."""

    items: list[ProposalForBroker | ProposalForClient]
    total: int
    next: str | None
