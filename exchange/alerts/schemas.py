"""msgspec Structs for saved searches, alert settings, suggestions and price advice."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from exchange.paging import Page

__all__ = [
    "AlertSettings",
    "AlertSettingsIn",
    "Band",
    "Comparables",
    "LotPricing",
    "PriceCutIn",
    "PriceCutOut",
    "SavedSearch",
    "SavedSearchIn",
    "SavedSearchList",
    "SlowSaleAdvice",
    "Suggestion",
    "SuggestionList",
]

Frequency = Literal["instant", "daily"]


class SavedSearchIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    query: Annotated[
        str,
        msgspec.Meta(
            max_length=2000,
            description='The /lots query string, like "category=textiles/fabric&grade=B&spec.width.gte=140cm"',
        ),
    ]
    frequency: Frequency = "instant"


class SavedSearch(msgspec.Struct):
    id: int
    name: str
    query: str
    frequency: Frequency
    created_at: datetime
    link: str
    """The catalogue page showing this search's lots."""
    alerts: int
    """Lots this search has alerted about."""


class SavedSearchList(msgspec.Struct):
    items: list[SavedSearch]
    settings: AlertSettings


class AlertSettings(msgspec.Struct):
    suggestions_enabled: bool
    """Whether "lots like the ones you buy" appear on the dashboard and in the digest."""


class AlertSettingsIn(msgspec.Struct, forbid_unknown_fields=True):
    suggestions_enabled: bool


class Suggestion(msgspec.Struct):
    lot_id: int
    title: str
    category: str
    grade: str
    price: str | None
    currency: str
    reason: str
    link: str


class SuggestionList(msgspec.Struct):
    items: list[Suggestion]
    enabled: bool


class Band(msgspec.Struct):
    grade: str
    low_percent: int
    high_percent: int
    source: str
    """The band table's entry used: `default` or a category code."""


class Comparables(msgspec.Struct):
    count: int
    """Sold lots of the same category and grade with a reference price."""
    median_percent_of_reference: str | None


class SlowSaleAdvice(msgspec.Struct):
    given_at: datetime
    suggested_price: str | None
    basis: str
    options: list[str]
    """What else may help: enable RFQ, split the lot, regrade."""
    applied: bool


class LotPricing(msgspec.Struct):
    lot_id: int
    currency: str
    price: str | None
    """The asking price of the whole lot (fixed price, or the minimum bid)."""
    unit_price: str | None
    reference_price: str | None
    percent_of_reference: str | None
    position: Literal["below", "within", "above", "unknown"]
    band: Band
    comparables: Comparables
    warnings: list[str]
    """A price outside the band is a warning, never a refusal."""
    slow_sale: SlowSaleAdvice | None = None


class PriceCutIn(msgspec.Struct, forbid_unknown_fields=True):
    price: Annotated[str, msgspec.Meta(max_length=32)] | None = None
    """The new asking price; omitted: the suggested price of the slow-sale advice."""


class PriceCutOut(msgspec.Struct):
    lot_id: int
    field: Literal["price", "min_bid"]
    old_price: str | None
    new_price: str
    currency: str
    at: datetime


class SavedSearchPage(Page[SavedSearch]):
    items: list[SavedSearch]
    settings: AlertSettings


class SuggestionPage(Page[Suggestion]):
    items: list[Suggestion]
    enabled: bool
