"""msgspec Structs for inspections, evidence, disputes and the admin's arbitration queue."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from exchange.paging import Page

__all__ = [
    "Decision",
    "Dispute",
    "DisputeAnswer",
    "DisputeCreate",
    "DisputeMessage",
    "DisputeQueueItem",
    "Evidence",
    "Inspection",
    "InspectionCreate",
    "MessageCreate",
    "RefundLine",
]

Count = Annotated[int, msgspec.Meta(ge=0, le=10**12)]
EvidenceId = Annotated[int, msgspec.Meta(gt=0, le=2_147_483_647)]
EvidenceIds = Annotated[list[EvidenceId], msgspec.Meta(max_length=50)]
MoneyIn = Annotated[str, msgspec.Meta(max_length=32, description='A decimal amount, like "1200.00"')] | int
Text = Annotated[str, msgspec.Meta(max_length=5_000)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=5_000)]
Grade = Literal["A", "B", "C"]
DefectKind = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]


class InspectionCreate(msgspec.Struct, forbid_unknown_fields=True):
    units_inspected: Annotated[int, msgspec.Meta(gt=0, le=10**12)]
    units_defective: Count
    defects_by_kind: Annotated[dict[DefectKind, Count], msgspec.Meta(max_length=30)] = {}
    sampling: Literal["flat", "iso2859"] = "flat"
    """How the sample was chosen: a flat share of the lot (30 %) or ISO 2859-1 general level II."""
    observed_grade: Grade | None = None
    photos: EvidenceIds = []
    """Ids of photos uploaded with `POST /api/orders/{id}/evidence`."""
    notes: Text = ""


class RefundLine(msgspec.Struct):
    label: str
    amount: str


class Inspection(msgspec.Struct):
    id: int
    order_id: int
    sampling: str
    lot_size: int
    sample_size: int
    """The sample the sampling rule asks for."""
    sample_sufficient: bool
    units_inspected: int
    units_defective: int
    defects_by_kind: dict[str, int]
    observed_grade: str | None
    photos: list[int]
    notes: str
    suggested_refund: str
    refund_lines: list[RefundLine]
    """The formula line by line; the amounts add up to `suggested_refund`."""
    order_status: str
    created_at: datetime


class Evidence(msgspec.Struct):
    id: int
    order_id: int
    filename: str
    content_type: str
    size: int
    uploaded_by: str
    """buyer | seller | admin"""
    url: str
    uploaded_at: datetime


class DisputeCreate(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason
    claimed_refund: MoneyIn | None = None
    """Defaults to the latest inspection's suggested refund, or the whole amount without one (or when it is 0)."""
    evidence_ids: EvidenceIds = []


class DisputeAnswer(msgspec.Struct, forbid_unknown_fields=True):
    answer: Literal["accept", "offer", "reject"]
    message: Text = ""
    amount: MoneyIn | None = None
    """The partial refund offered (answer `offer`)."""


class Decision(msgspec.Struct, forbid_unknown_fields=True):
    outcome: Literal["refund", "partial_refund", "release"]
    reason: Reason
    amount: MoneyIn | None = None
    """The refund of a `partial_refund`."""


class MessageCreate(msgspec.Struct, forbid_unknown_fields=True):
    body: Reason
    evidence_ids: EvidenceIds = []


class DisputeMessage(msgspec.Struct):
    id: int
    side: str
    author: str
    body: str
    evidence_ids: list[int]
    created_at: datetime


class Dispute(msgspec.Struct):
    id: int
    order_id: int
    buyer_org_id: int
    seller_org_id: int
    status: str
    reason: str
    currency: str
    order_amount: str
    claimed_refund: str
    suggested_refund: str | None
    suggestion_lines: list[RefundLine]
    inspection_id: int | None
    answer: str | None
    offer: str | None
    answer_message: str
    answer_due_at: datetime
    escalated_at: datetime | None
    decide_by: datetime | None
    outcome: str | None
    refund: str | None
    decision_reason: str
    resolved_at: datetime | None
    created_at: datetime
    allowed_actions: list[str]
    evidence: list[Evidence]
    messages: list[DisputeMessage]


class DisputeQueueItem(msgspec.Struct):
    id: int
    order_id: int
    status: str
    buyer_org_id: int
    seller_org_id: int
    reason: str
    currency: str
    order_amount: str
    claimed_refund: str
    suggested_refund: str | None
    offer: str | None
    answer: str | None
    escalated_at: datetime | None
    decide_by: datetime | None
    overdue: bool
    created_at: datetime


class DisputeQueuePage(Page[DisputeQueueItem]):
    items: list[DisputeQueueItem]
