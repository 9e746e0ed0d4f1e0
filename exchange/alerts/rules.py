"""Rules of alerts and price advice that need no I/O: the slow-sale due time, grade price bands, the
suggested price cut, and "lots like the ones you buy". (Whether a lot matches a saved search is
`exchange.alerts.matching`.)"""

from __future__ import annotations

import statistics
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from exchange.i18n.messages import Msg, MsgText, Series

__all__ = [
    "DEFAULT_SLOW_SALE_SHARE",
    "Band",
    "PriceCut",
    "PricePosition",
    "Profile",
    "ProfileLot",
    "band_for",
    "price_position",
    "profile_of",
    "slow_sale_due",
    "suggest_price_cut",
    "suggestion_reason",
]

DEFAULT_SLOW_SALE_SHARE = 0.5
"""A live lot with no bids, purchases or RFQs after this share of its listing window gets slow-sale advice."""


# ------------------------------------------------------------------ slow sale


def slow_sale_due(published_at: datetime, ends_at: datetime, share: float = DEFAULT_SLOW_SALE_SHARE) -> datetime:
    """When a lot still unasked-for is advised: `share` of the way through its listing window."""
    return published_at + (ends_at - published_at) * share


# ------------------------------------------------------------------ price bands


@dataclass(frozen=True, slots=True)
class Band:
    grade: str
    low_percent: int
    high_percent: int
    source: str
    """Which entry of the band table: `default` or a category code."""


@cache
def _band_table() -> dict[str, Any]:
    with (Path(__file__).with_name("price_bands.toml")).open("rb") as handle:
        return tomllib.load(handle)


def band_for(category: str, grade: str) -> Band:
    """The grade's band for the category (its own entry, a parent's, or the default)."""
    table = _band_table()
    found = "default"
    for code in table.get("categories", {}):
        if (category == code or category.startswith(code + "/")) and (found == "default" or len(code) > len(found)):
            found = code
    bands = table["default"] if found == "default" else table["categories"][found]
    low, high = bands[grade]
    return Band(grade, int(low), int(high), found)


def _percent(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class PricePosition:
    unit_price_minor: Decimal
    percent_of_reference: Decimal | None
    band: Band
    position: str
    """below, within, above (the band), or unknown (no reference price or no price)."""
    comparable_count: int
    comparable_median_percent: Decimal | None
    warnings: list[str]


def unit_price(price_minor: int, quantity: Decimal) -> Decimal:
    return Decimal(price_minor) / quantity if quantity > 0 else Decimal(price_minor)


def price_position(
    *,
    price_minor: int | None,
    quantity: Decimal,
    reference_minor: int | None,
    category: str,
    grade: str,
    comparable_percents: Sequence[Decimal],
) -> PricePosition:
    """Where the asking price sits against the grade's band and against comparable sold lots (as percents
    of each one's reference price). Outside the band is a warning, never a refusal."""
    band = band_for(category, grade)
    median = _percent(Decimal(statistics.median(comparable_percents))) if comparable_percents else None
    warnings: list[str] = []
    if price_minor is None or not reference_minor:
        return PricePosition(
            unit_price(price_minor or 0, quantity), None, band, "unknown", len(comparable_percents), median, warnings
        )
    per_unit = unit_price(price_minor, quantity)
    percent = _percent(per_unit * 100 / reference_minor)
    if percent < band.low_percent:
        position = "below"
        warnings.append(
            f"The price is {percent} % of the reference price, below the grade {grade} band of "
            f"{band.low_percent}-{band.high_percent} %: you may be selling for less than buyers would pay."
        )
    elif percent > band.high_percent:
        position = "above"
        warnings.append(
            f"The price is {percent} % of the reference price, above the grade {grade} band of "
            f"{band.low_percent}-{band.high_percent} %: the lot may sell slowly."
        )
    else:
        position = "within"
    if median is not None and percent > median * Decimal("1.25"):
        warnings.append(
            f"Comparable grade {grade} lots sold at a median {median} % of their reference price "
            f"({len(comparable_percents)} sold); this price is {percent} %."
        )
    return PricePosition(per_unit, percent, band, position, len(comparable_percents), median, warnings)


@dataclass(frozen=True, slots=True)
class PriceCut:
    price_minor: int
    basis: str


def suggest_price_cut(
    *,
    price_minor: int,
    quantity: Decimal,
    reference_minor: int | None,
    category: str,
    grade: str,
    comparable_percents: Sequence[Decimal],
) -> PriceCut | None:
    """A lower asking price for a lot nobody has asked for, with the basis it was computed from:
    the median of comparable sold lots (same category and grade), else the middle of the grade's band,
    else 10 % off. None when the basis would not lower the price."""
    if reference_minor and comparable_percents:
        median = Decimal(statistics.median(comparable_percents))
        target = median * reference_minor * quantity / 100
        basis = (
            f"median of {len(comparable_percents)} comparable sold grade {grade} lots in this category: "
            f"{_percent(median)} % of their reference price, applied to this lot's reference price"
        )
    elif reference_minor:
        band = band_for(category, grade)
        middle = Decimal(band.low_percent + band.high_percent) / 2
        target = middle * reference_minor * quantity / 100
        basis = (
            f"no comparable sales yet; the middle of the grade {grade} band ({band.low_percent}-"
            f"{band.high_percent} % of the reference price)"
        )
    else:
        target = Decimal(price_minor) * Decimal("0.9")
        basis = "no reference price and no comparable sales: 10 % off the current price"
    suggested = int(target.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if suggested <= 0 or suggested >= price_minor:
        return None
    return PriceCut(suggested, basis)


# ------------------------------------------------------------------ preferences


@dataclass(frozen=True, slots=True)
class ProfileLot:
    """A lot in a buyer's history (bid on, bought, asked a quote for)."""

    category: str
    grade: str
    unit_price_minor: Decimal | None
    region: str
    numbers: dict[str, float]
    how: str
    """bid, bought or rfq"""


@dataclass(frozen=True, slots=True)
class Profile:
    categories: dict[str, int]
    grades: set[str]
    unit_price: tuple[Decimal, Decimal] | None
    regions: set[str]
    spec_ranges: dict[str, tuple[float, float]]
    size: int


def profile_of(history: Sequence[ProfileLot]) -> Profile | None:
    """The buyer's preferences from their history; None without any."""
    if not history:
        return None
    categories: dict[str, int] = {}
    prices = [lot.unit_price_minor for lot in history if lot.unit_price_minor is not None]
    spec_ranges: dict[str, tuple[float, float]] = {}
    for lot in history:
        categories[lot.category] = categories.get(lot.category, 0) + 1
        for key, value in lot.numbers.items():
            low, high = spec_ranges.get(key, (value, value))
            spec_ranges[key] = (min(low, value), max(high, value))
    return Profile(
        categories=categories,
        grades={lot.grade for lot in history},
        unit_price=(min(prices), max(prices)) if prices else None,
        regions={lot.region for lot in history if lot.region},
        spec_ranges=spec_ranges,
        size=len(history),
    )


PRICE_SLACK = Decimal("1.2")
SPEC_SLACK = 0.2


def suggestion_reason(profile: Profile, lot: ProfileLot, category_label: object) -> MsgText | None:
    """Why a live lot is like the ones the buyer deals in, or None when it is not: its category must be one
    of theirs, its grade one they took, its price per unit no more than 20 % above the most they paid,
    and its specs within 20 % of the ranges they took. The reason reads in English as a string (the API) and
    in the reader's language on a page; `category_label` is text or a message value (`CategoryLabel`)."""
    count = profile.categories.get(lot.category)
    if not count or lot.grade not in profile.grades:
        return None
    dealt = (
        Msg("you dealt in 1 {category} lot", category=category_label)
        if count == 1
        else Msg("you dealt in {count} {category} lots", count=count, category=category_label)
    )
    reasons: list[Msg | str] = [dealt, Msg("grade {grade}", grade=lot.grade)]
    if profile.unit_price is not None and lot.unit_price_minor is not None:
        _low, high = profile.unit_price
        if lot.unit_price_minor > high * PRICE_SLACK:
            return None
        reasons.append(
            Msg("at or under the price per unit you paid") if lot.unit_price_minor <= high else Msg("a similar price")
        )
    for key, (low_v, high_v) in profile.spec_ranges.items():
        value = lot.numbers.get(key)
        if value is None:
            continue
        span = max(abs(high_v), abs(low_v)) * SPEC_SLACK
        if not low_v - span <= value <= high_v + span:
            return None
    if lot.region and lot.region in profile.regions:
        reasons.append(Msg("in {region}, where you bought before", region=lot.region))
    return MsgText(Msg("Like the lots you buy: {reasons}.", reasons=Series(reasons)))
