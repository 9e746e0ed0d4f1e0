"""msgspec Structs for the RFQ API: threads, offers, samples, messages, wanted requests, comparisons."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from exchange.paging import Page
from exchange.params import MAX_ID

__all__ = [
    "AcceptIn",
    "Attachment",
    "Comparison",
    "ComparisonRow",
    "DeclineIn",
    "LinkIn",
    "Message",
    "MessageCreate",
    "Offer",
    "OfferCreate",
    "Quantity",
    "QuantityIn",
    "RfqOpen",
    "Sample",
    "SampleCreate",
    "SamplePrice",
    "SpecCheck",
    "SpecConstraint",
    "Thread",
    "ThreadSummary",
    "Wanted",
    "WantedAnswer",
    "WantedCreate",
]

PaymentTerms = Literal["prepay", "net30", "net45"]
Money = Annotated[
    str | int, msgspec.Meta(description='A decimal amount as a string, like "40000.00", in the lot\'s currency')
]
Currency = Annotated[str, msgspec.Meta(min_length=3, max_length=3, description="ISO code; the lot's currency")]
Packaging = Annotated[str, msgspec.Meta(max_length=1000, description="Packaging and relabelling needs or terms")]
MessageText = Annotated[str, msgspec.Meta(max_length=4000)]
Region = Annotated[str, msgspec.Meta(max_length=120)]
PositiveId = Annotated[int, msgspec.Meta(gt=0, le=MAX_ID)]
SampleUnits = Annotated[int, msgspec.Meta(ge=1, le=10_000, description="How many units to send as a sample")]


class RfqOpen(msgspec.Struct, forbid_unknown_fields=True):
    """A buyer's request for quotation on a lot; `price` is the buyer's target price for the whole lot."""

    price: Money
    currency: Currency | None = None
    valid_until: datetime | None = None
    delivery_by: date | None = None
    delivery_region: Region = ""
    payment_terms: PaymentTerms | None = None
    packaging: Packaging = ""
    message: MessageText = ""
    sample_units: SampleUnits | None = None


class OfferCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A quote or counter-offer for the whole lot."""

    price: Money
    currency: Currency | None = None
    valid_until: datetime | None = None
    delivery_by: date | None = None
    payment_terms: PaymentTerms | None = None
    packaging: Packaging = ""
    message: MessageText = ""


class AcceptIn(msgspec.Struct, forbid_unknown_fields=True):
    offer_id: PositiveId


class DeclineIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class Offer(msgspec.Struct):
    id: int
    version: int
    by_org_id: int
    by_side: str
    price: str
    currency: str
    valid_until: datetime
    delivery_by: date | None
    payment_terms: str | None
    packaging: str
    message: str
    status: str
    created_at: datetime


class Sample(msgspec.Struct):
    id: int
    units: int
    unit_price: str | None
    fee: str | None
    currency: str
    status: str
    note: str
    created_at: datetime
    credited_order_id: int | None = None


class SampleCreate(msgspec.Struct, forbid_unknown_fields=True):
    units: SampleUnits
    note: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class SamplePrice(msgspec.Struct, forbid_unknown_fields=True):
    unit_price: Money
    """Price per sample unit; the fee is units x unit price."""


class Thread(msgspec.Struct):
    id: int
    lot_id: int
    buyer_org_id: int
    seller_org_id: int
    status: str
    offers: list[Offer]
    lot_title: str
    buyer_org_name: str
    seller_org_name: str
    currency: str
    delivery_region: str
    waiting_for: str | None
    """"buyer" or "seller" while an offer stands; None when either may offer or the thread has ended."""
    closed_reason: str
    order_id: int | None
    wanted_request_id: int | None
    samples: list[Sample]
    created_at: datetime
    updated_at: datetime


class ThreadSummary(msgspec.Struct):
    id: int
    lot_id: int
    lot_title: str
    buyer_org_id: int
    seller_org_id: int
    buyer_org_name: str
    seller_org_name: str
    status: str
    waiting_for: str | None
    latest_offer: Offer | None
    order_id: int | None
    wanted_request_id: int | None
    updated_at: datetime


class LinkIn(msgspec.Struct, forbid_unknown_fields=True):
    url: Annotated[str, msgspec.Meta(min_length=8, max_length=1000, description="http(s) link")]
    name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    kind: Literal["video", "document", "link"] = "link"


class MessageCreate(msgspec.Struct, forbid_unknown_fields=True):
    body: MessageText = ""
    links: Annotated[list[LinkIn], msgspec.Meta(max_length=10)] = []


class Attachment(msgspec.Struct):
    id: int
    kind: str
    name: str
    url: str
    """A link as given, or this API's download path for a stored file."""
    content_type: str | None = None
    size_bytes: int | None = None


class Message(msgspec.Struct):
    id: int
    thread_id: int
    author_org_id: int
    author_side: str
    body: str
    attachments: list[Attachment]
    created_at: datetime


class SpecConstraint(msgspec.Struct, forbid_unknown_fields=True):
    key: Annotated[str, msgspec.Meta(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_]*$")]
    op: Literal["eq", "gte", "lte"] = "eq"
    value: Annotated[str, msgspec.Meta(max_length=120)] | float | bool = ""
    unit: Annotated[str, msgspec.Meta(max_length=24)] | None = None


class QuantityIn(msgspec.Struct, forbid_unknown_fields=True):
    value: Annotated[str, msgspec.Meta(max_length=30)] | float
    unit: Annotated[str, msgspec.Meta(min_length=1, max_length=24)]


class Quantity(msgspec.Struct):
    value: str
    unit: str


class WantedCreate(msgspec.Struct, forbid_unknown_fields=True):
    title: Annotated[str, msgspec.Meta(min_length=3, max_length=200)]
    category: Annotated[str, msgspec.Meta(max_length=80, description='A category code like "textiles/fabric"')]
    quantity: QuantityIn
    deadline: date
    specs: Annotated[list[SpecConstraint], msgspec.Meta(max_length=30)] = []
    budget: Money | None = None
    currency: Currency | None = None
    delivery_region: Region = ""
    notes: Annotated[str, msgspec.Meta(max_length=4000)] = ""


class Wanted(msgspec.Struct):
    id: int
    buyer_org_id: int
    buyer_org_name: str
    title: str
    category: str
    specs: list[SpecConstraint]
    quantity: Quantity
    budget: str | None
    currency: str
    deadline: date
    delivery_region: str
    notes: str
    status: str
    answer_count: int
    created_at: datetime


class WantedAnswer(msgspec.Struct, forbid_unknown_fields=True):
    """A seller's answer: one of their live lots and a quote for it, which opens a thread."""

    lot_id: PositiveId
    price: Money
    currency: Currency | None = None
    valid_until: datetime | None = None
    delivery_by: date | None = None
    payment_terms: PaymentTerms | None = None
    packaging: Packaging = ""
    message: MessageText = ""


class SpecCheck(msgspec.Struct):
    key: str
    wanted: str
    offered: str | None
    meets: bool | None
    """None when the lot does not state it or the values cannot be compared."""


class ComparisonRow(msgspec.Struct):
    thread_id: int
    thread_status: str
    seller_org_id: int
    seller_org_name: str
    lot_id: int
    lot_title: str
    grade: str
    lot_quantity: Quantity
    quantity_in_request_unit: str | None
    offer_id: int | None
    offer_status: str | None
    offer_by_side: str | None
    price: str | None
    currency: str
    unit_price: str | None
    """Price per request unit (e.g. per m), when the lot's quantity converts to the request's unit."""
    unit: str
    delivery_by: date | None
    payment_terms: str | None
    packaging: str
    valid_until: datetime | None
    within_budget: bool | None
    delivers_by_deadline: bool | None
    specs: list[SpecCheck]
    can_accept: bool


class Comparison(msgspec.Struct):
    request: Wanted
    rows: list[ComparisonRow]


class ThreadSummaryPage(Page[ThreadSummary]):
    items: list[ThreadSummary]


class WantedPage(Page[Wanted]):
    items: list[Wanted]


class MessagePage(Page[Message]):
    items: list[Message]
