"""msgspec Structs for the lots API: `LotCreate`, `LotUpdate`, `Lot`, `LotPage` and their parts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec

from exchange.paging import Page

__all__ = [
    "Document",
    "Facets",
    "Location",
    "LocationIn",
    "Lot",
    "LotCreate",
    "LotPage",
    "LotUpdate",
    "Quantity",
    "QuantityIn",
    "ReviewDecision",
    "Sale",
    "SaleIn",
]

Grade = Literal["A", "B", "C"]
Source = Literal["overrun", "season_end", "slow_moving", "returns", "other"]
SaleMode = Literal["sealed_bid", "fixed_price"]
Visibility = Literal["public", "private"]
MoneyIn = Annotated[str, msgspec.Meta(max_length=32, description='A decimal amount, like "40000.00"')] | int
Title = Annotated[str, msgspec.Meta(min_length=3, max_length=200)]
Description = Annotated[str, msgspec.Meta(max_length=10_000)]
Defects = Annotated[str, msgspec.Meta(max_length=5_000)]
CategoryCode = Annotated[str, msgspec.Meta(min_length=1, max_length=80, description='Like "textiles/fabric"')]
Place = Annotated[str, msgspec.Meta(max_length=80)]
Certification = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
OrgId = Annotated[int, msgspec.Meta(gt=0, le=2_147_483_647)]
Specs = Annotated[dict[str, Any], msgspec.Meta(description='Spec values by key; numbers may carry a unit ("1.5 m")')]


class QuantityIn(msgspec.Struct, forbid_unknown_fields=True):
    value: Decimal
    unit: Annotated[str, msgspec.Meta(min_length=1, max_length=24)]


class LocationIn(msgspec.Struct, forbid_unknown_fields=True):
    city: Place = ""
    region: Place = ""
    country: Annotated[str, msgspec.Meta(pattern="^[A-Za-z]{2}$")] = "CN"


class SaleIn(msgspec.Struct, forbid_unknown_fields=True):
    mode: SaleMode
    price: MoneyIn | None = None
    """Fixed-price lots: the price of the whole lot."""
    reserve_price: MoneyIn | None = None
    """Sealed bids: the hidden reserve. Only the seller ever sees it."""
    min_bid: MoneyIn | None = None
    second_price: bool = False
    deposit_percent: Annotated[int, msgspec.Meta(ge=0, le=100)] | None = None
    closes_at: datetime | None = None
    rfq_enabled: bool = True


class LotCreate(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    category: CategoryCode
    quantity: QuantityIn
    grade: Grade
    sale: SaleIn
    description: Description = ""
    specs: Specs = {}
    defects: Defects = ""
    source: Source = "other"
    reference_price: MoneyIn | None = None
    """List price per unit of quantity."""
    currency: Annotated[str, msgspec.Meta(min_length=3, max_length=3)] = "CNY"
    location: LocationIn = msgspec.field(default_factory=LocationIn)
    certifications: Annotated[list[Certification], msgspec.Meta(max_length=20)] = []
    best_before: date | None = None
    visibility: Visibility = "public"
    invited_org_ids: Annotated[list[OrgId], msgspec.Meta(max_length=200)] = []
    listing_days: Annotated[int, msgspec.Meta(ge=1, le=365)] = 14


class RelistLot(msgspec.Struct, forbid_unknown_fields=True):
    """Optional body of `POST /api/lots/{id}/relist`, for a sealed-bid lot whose buyer did not pay (it is relisted
    as a new lot): `sale` is the new lot's sale (sealed bid with a new `closes_at`, or fixed price; by default the
    old terms, closing at the end of the new listing window); `draft: true` keeps the new lot a draft to edit."""

    sale: SaleIn | None = None
    draft: bool = False


class LotInvitations(msgspec.Struct, forbid_unknown_fields=True):
    """More buyer organisations invited to a private lot (the ones already invited stay invited)."""

    org_ids: list[int]


class LotUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """A partial edit of a draft: only the fields given change. `specs`, `sale`, `location` and
    `invited_org_ids` each replace the whole of their value."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    category: CategoryCode | msgspec.UnsetType = msgspec.UNSET
    quantity: QuantityIn | msgspec.UnsetType = msgspec.UNSET
    grade: Grade | msgspec.UnsetType = msgspec.UNSET
    sale: SaleIn | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    specs: Specs | msgspec.UnsetType = msgspec.UNSET
    defects: Defects | msgspec.UnsetType = msgspec.UNSET
    source: Source | msgspec.UnsetType = msgspec.UNSET
    reference_price: MoneyIn | msgspec.UnsetType | None = msgspec.UNSET
    currency: Annotated[str, msgspec.Meta(min_length=3, max_length=3)] | msgspec.UnsetType = msgspec.UNSET
    location: LocationIn | msgspec.UnsetType = msgspec.UNSET
    certifications: Annotated[list[Certification], msgspec.Meta(max_length=20)] | msgspec.UnsetType = msgspec.UNSET
    best_before: date | msgspec.UnsetType | None = msgspec.UNSET
    visibility: Visibility | msgspec.UnsetType = msgspec.UNSET
    invited_org_ids: Annotated[list[OrgId], msgspec.Meta(max_length=200)] | msgspec.UnsetType = msgspec.UNSET
    listing_days: Annotated[int, msgspec.Meta(ge=1, le=365)] | msgspec.UnsetType = msgspec.UNSET


class Quantity(msgspec.Struct):
    value: str
    unit: str


class Location(msgspec.Struct):
    city: str
    region: str
    country: str


class Sale(msgspec.Struct):
    mode: str
    price: str | None
    min_bid: str | None
    second_price: bool
    deposit_percent: int | None
    closes_at: datetime | None
    rfq_enabled: bool
    reserve_price: str | msgspec.UnsetType | None = msgspec.UNSET
    """Present only in the seller's own view."""


class Document(msgspec.Struct):
    id: int
    kind: str
    filename: str
    content_type: str
    size: int
    url: str
    uploaded_at: datetime


class Lot(msgspec.Struct):
    id: int
    seller_org_id: int
    title: str
    description: str
    category: str
    category_name: str
    specs: dict[str, Any]
    spec_units: dict[str, str]
    """The unit each number in `specs` is given in."""
    quantity: Quantity
    grade: str
    defects: str
    source: str
    reference_price: str | None
    currency: str
    location: Location
    certifications: list[str]
    best_before: date | None
    sale: Sale
    visibility: str
    status: str
    closes_at: datetime | None
    ends_at: datetime | None
    published_at: datetime | None
    listing_days: int
    bid_count: int
    winning_amount: str | None
    """Once the lot is awarded or sold."""
    documents: list[Document]
    created_at: datetime
    updated_at: datetime
    review_reason: str | msgspec.UnsetType = msgspec.UNSET
    """The seller's and admins' view: why the lot is in review, or why review sent it back."""
    invited_org_ids: list[int] | msgspec.UnsetType = msgspec.UNSET
    """The seller's and admins' view of a private lot's invited organisations."""
    relisted_from: int | msgspec.UnsetType | None = msgspec.UNSET
    """The seller's and admins' view: the lot this one relists (its buyer did not pay)."""
    relisted_as: int | msgspec.UnsetType | None = msgspec.UNSET
    """The seller's and admins' view: the new lot this one was relisted as."""


class Facets(msgspec.Struct):
    category: dict[str, int]
    """Lots per category code under every filter (parents include their sub-categories); with a
    `category` filter, the counts of that category and its sub-categories, to narrow down."""
    grade: dict[str, int]
    """Lots per grade under every filter but `grade`."""


class LotPage(msgspec.Struct):
    items: list[Lot]
    total: int
    next: str | None
    """The URL of the next page, or null on the last page."""
    facets: Facets
    total_is_lower_bound: bool = False
    """True when more than 10,000 lots match: `total` is 10,000 and the facets count the first 10,000 found."""


class ReviewDecision(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class SellerLotPage(Page[Lot]):
    items: list[Lot]


class ReviewQueuePage(Page[Lot]):
    items: list[Lot]
