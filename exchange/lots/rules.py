"""Rules of a lot that need no I/O: statuses, grade and defects, sale terms, the listing window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import pycountry

from exchange.errors import Conflict, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg, MsgText, Span, When
from exchange.lots.errors import (
    ALREADY_RELISTED,
    DEFECTS_REQUIRED,
    LOT_NOT_DRAFT,
    NOT_RELISTABLE,
    RUNNER_UP_OFFER_OPEN,
)
from exchange.text import visible_length

__all__ = [
    "CLOSED_STATUSES",
    "DEFAULT_LISTING_DAYS",
    "GRADES",
    "LISTING_DAYS_RANGE",
    "RELISTABLE",
    "RELISTABLE_WHEN_ORDERS_CANCELLED",
    "RELIST_AS_NEW_LOT",
    "RELIST_IN_PLACE",
    "SALE_MODES",
    "SOURCES",
    "STATUSES",
    "WITHDRAWABLE",
    "RelistFacts",
    "check_country",
    "check_defects",
    "check_listing_days",
    "check_quantity",
    "check_sale_terms",
    "listing_window",
    "may_relist",
    "relist_way",
    "require_draft",
]

STATUSES = ("draft", "in_review", "live", "awarded", "sold", "unsold", "expired", "withdrawn")
CLOSED_STATUSES = ("awarded", "sold")
"""Statuses in which the lot has a winning amount to show."""
WITHDRAWABLE = ("draft", "in_review", "live")
RELISTABLE = ("expired", "withdrawn")
"""Statuses from which a seller may put a fixed-price lot back on sale."""
RELISTABLE_WHEN_ORDERS_CANCELLED = ("sold",)
"""A sold lot whose orders were all cancelled (the buyer did not pay) may be put back on sale too."""
RELIST_IN_PLACE = "in_place"
"""A fixed-price lot goes back on sale as itself (it never had a bidding round)."""
RELIST_AS_NEW_LOT = "new_lot"
"""A sealed-bid lot whose buyer did not pay is copied into a new lot with a new sale: its bids, deposits, close
and the bid engine's state belong to the old round, which stays as it was."""
GRADES = ("A", "B", "C")
SOURCES = ("overrun", "season_end", "slow_moving", "returns", "other")
SALE_MODES = ("sealed_bid", "fixed_price")
DEFAULT_LISTING_DAYS = 14
LISTING_DAYS_RANGE = (7, 15)
MAX_QUANTITY = Decimal("100000000000000")


def check_defects(grade: str, defects: str) -> None:
    """Grades B and C must say what is wrong; grade A means no defects."""
    if grade in ("B", "C") and visible_length(defects) < 5:
        raise Unprocessable(
            Msg("Grade {grade} lots need a defect disclosure: describe the defects buyers will find.", grade=grade),
            field="defects",
            code=DEFECTS_REQUIRED,
        )


def check_country(raw: str, *, field: str) -> str:
    """An ISO 3166 alpha-2 country code, upper-cased (where a lot is, or a search for lots in a country)."""
    code = raw.strip().upper()
    if len(code) != 2 or not code.isascii() or pycountry.countries.get(alpha_2=code) is None:
        raise Unprocessable(
            Msg("{raw} is not a country code; use a two-letter ISO code like CN.", raw=repr(raw[:8])), field=field
        )
    return code


def check_listing_days(days: int) -> None:
    low, high = LISTING_DAYS_RANGE
    if not low <= days <= high:
        raise Unprocessable(
            Msg("A listing runs {low} to {high} days, not {days}.", low=low, high=high, days=days), field="listing_days"
        )


def check_quantity(value: Decimal) -> None:
    if not value.is_finite() or value <= 0 or value >= MAX_QUANTITY:
        raise Unprocessable(N_("The quantity must be a positive number."), field="quantity.value")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        raise Unprocessable(N_("The quantity has more than 4 decimal places."), field="quantity.value")


def check_sale_terms(
    mode: str, *, price: int | None, reserve: int | None, min_bid: int | None, deposit_percent: int | None
) -> None:
    """The terms each sale mode needs, and nothing it cannot use."""
    if mode == "fixed_price":
        if price is None:
            raise Unprocessable(N_("A fixed-price lot needs its price."), field="sale.price")
        if reserve is not None or min_bid is not None:
            raise Unprocessable(
                N_("A fixed-price lot has no reserve or minimum bid; those are for sealed bids."),
                field="sale.reserve_price" if reserve is not None else "sale.min_bid",
            )
    else:
        if price is not None:
            raise Unprocessable(N_("A sealed-bid lot has no fixed price; set a reserve instead."), field="sale.price")
        if reserve is not None and min_bid is not None and min_bid > reserve:
            raise Unprocessable(N_("The minimum bid cannot be above the reserve."), field="sale.min_bid")
    if deposit_percent is not None and not 0 <= deposit_percent <= 50:
        raise Unprocessable(N_("The deposit is 0 to 50 percent."), field="sale.deposit_percent")


def listing_window(
    now: datetime, listing_days: int, mode: str, closes_at: datetime | None, *, min_bidding: timedelta
) -> tuple[datetime, datetime | None]:
    """(ends_at, closes_at) for a lot going live now.

    A sealed-bid lot closes at its `closes_at` (inside the window, at least `min_bidding` from now)
    or at the end of the window; its listing ends when bidding closes. A fixed-price lot has no
    close, only the end of its window.
    """
    window_end = now + timedelta(days=listing_days)
    if mode != "sealed_bid":
        return window_end, None
    if closes_at is None:
        return window_end, window_end
    if closes_at < now + min_bidding:
        raise Unprocessable(
            Msg(
                "Bidding must stay open for at least {span} after publishing; choose a later closing time.",
                span=Span(min_bidding),
            ),
            field="sale.closes_at",
        )
    if closes_at > window_end:
        raise Unprocessable(
            Msg(
                "Bidding must close within the {days}-day listing window (by {end}).",
                days=listing_days,
                end=When(window_end),
            ),
            field="sale.closes_at",
        )
    return closes_at, closes_at


DRAFT_ACTIONS = (N_("published"), N_("edited"), N_("given new files"), N_("changed"))
"""What `require_draft` is told was refused, in the catalogue for a page's words."""


def status_words(status: str) -> str:
    """A lot status as words ("in_review" -> "in review"), the catalogue's msgid for a page (web/words.py)."""
    return status.replace("_", " ")


def require_draft(status: str, action: str) -> None:
    if status != "draft":
        raise Conflict(
            Msg(
                "Only a draft can be {action}; this lot is {status}.",
                action=Msg(action),
                status=Msg(status_words(status)),
            ),
            code=LOT_NOT_DRAFT,
            title="Lot is not a draft",
        )


@dataclass(frozen=True, slots=True)
class RelistFacts:
    """What decides whether a lot may be relisted, read from the database by the caller."""

    status: str
    sale_mode: str
    live_order: bool
    """An order on the lot that is not cancelled (one live order per lot at a time)."""
    unpaid_order: bool
    """An order on the lot was cancelled (its buyer did not pay)."""
    open_runner_up_offer: bool
    relisted_as: int | None
    """The new lot this one was already relisted as."""


def relist_way(facts: RelistFacts) -> str:
    """`RELIST_IN_PLACE` or `RELIST_AS_NEW_LOT` when the seller may relist the lot; otherwise a 409 that says why.

    A fixed-price lot that expired or was withdrawn, or was sold to a buyer who did not pay, is relisted in place.
    A sealed-bid lot whose order was cancelled for non-payment is relisted as a new lot, once the seller has
    stopped offering it down the ranking (no runner-up offer open, no accepted one with a live order), and only
    once."""
    if facts.relisted_as is not None:
        raise Conflict(Msg("This lot was already relisted as lot {lot}.", lot=facts.relisted_as), code=ALREADY_RELISTED)
    if facts.sale_mode == "sealed_bid" and facts.unpaid_order and not facts.live_order:
        if facts.open_runner_up_offer:
            raise Conflict(
                "A runner-up offer for this lot is still open; wait for its answer or its deadline, then relist.",
                code=RUNNER_UP_OFFER_OPEN,
                title="Runner-up offer open",
            )
        return RELIST_AS_NEW_LOT
    if facts.sale_mode == "fixed_price":
        if facts.status in RELISTABLE:
            return RELIST_IN_PLACE
        if facts.status in RELISTABLE_WHEN_ORDERS_CANCELLED and not facts.live_order:
            return RELIST_IN_PLACE
    english = (
        f"Only a fixed-price lot that is {' or '.join(RELISTABLE)}, or a lot whose buyer did not pay, can be "
        f"relisted; this {facts.sale_mode.replace('_', ' ')} lot is {facts.status.replace('_', ' ')}"
        + (" and has a live order." if facts.live_order else ".")
    )
    page = Msg(
        "This lot cannot be relisted now: only a fixed-price lot that expired or was withdrawn, or a lot whose "
        "buyer did not pay, can be relisted."
    )
    raise Conflict(
        MsgText(page, english),
        code=NOT_RELISTABLE,
    )


def may_relist(facts: RelistFacts) -> str | None:
    """`relist_way` for a page: the way, or None when the lot may not be relisted now."""
    try:
        return relist_way(facts)
    except Conflict:
        return None
