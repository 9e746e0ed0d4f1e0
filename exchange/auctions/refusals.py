"""The engine's refusals as domain errors with stable codes. No message names another bidder or amount."""

from __future__ import annotations

from collections.abc import Sequence

from exchange.auctions.errors import (
    ALREADY_SOLD,
    BELOW_MINIMUM,
    BIDDING_CLOSED,
    DEPOSIT_REQUIRED,
    ENGINE_BUSY,
    NO_BID,
    NOT_FIXED_PRICE,
    NOT_SEALED_BID,
    OWN_LOT,
)
from exchange.errors import Conflict, DomainError, Forbidden, NotFound, ServiceUnavailable, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.lots.errors import lot_not_found
from exchange.money import format_minor

__all__ = [
    "already_sold",
    "bidding_closed",
    "engine_busy",
    "for_bid",
    "for_purchase",
]


def bidding_closed() -> Conflict:
    return Conflict(
        "Bidding on this lot has closed: bids are accepted only before its closing time.",
        code=BIDDING_CLOSED,
        title="Bidding closed",
    )


def already_sold() -> Conflict:
    return Conflict(N_("This lot has already been sold."), code=ALREADY_SOLD, title=N_("Already sold"))


def engine_busy() -> ServiceUnavailable:
    return ServiceUnavailable(
        "The lot is being brought up to date after an engine restart. Nothing was changed; please try again.",
        code=ENGINE_BUSY,
        retry_after=1,
    )


def _common(code: str, lot_id: int) -> DomainError | None:
    if code == "NOT_FOUND":
        return lot_not_found(lot_id)
    if code == "OWN_LOT":
        return Forbidden(
            N_("Your organisation sells this lot; a seller cannot bid on or buy its own lot."), code=OWN_LOT
        )
    return None


def for_bid(code: str, details: Sequence[str], lot_id: int) -> DomainError:
    """The error for a refusal code of place_bid.lua / withdraw_bid.lua."""
    common = _common(code, lot_id)
    if common is not None:
        return common
    if code == "WRONG_MODE":
        return Conflict(
            "This lot is not sold by sealed bid (it has a fixed price: buy it with POST /api/lots/{id}/purchase).",
            code=NOT_SEALED_BID,
            title="Not a sealed-bid lot",
        )
    if code == "CLOSED":
        return bidding_closed()
    if code == "CURRENCY":
        currency = details[0] if details else "its own currency"
        return Unprocessable(
            Msg("This lot takes bids in {currency}; send currency {currency}.", currency=currency), field="currency"
        )
    if code == "TOO_LOW":
        minimum = int(details[0]) if details else 0
        currency = details[1] if len(details) > 1 else "CNY"
        return Unprocessable(
            Msg(
                "The minimum bid on this lot is {amount} {currency}.",
                amount=format_minor(minimum, currency),
                currency=currency,
            ),
            field="amount",
            code=BELOW_MINIMUM,
        )
    if code == "NO_DEPOSIT":
        return Forbidden(
            "This lot requires a bid deposit before you can bid. Place it first "
            f"(POST /api/lots/{lot_id}/deposit, or the deposit button on the lot page).",
            code=DEPOSIT_REQUIRED,
            title=N_("Deposit required"),
        )
    if code == "NO_BID":
        return NotFound(N_("Your organisation has no current bid on this lot."), code=NO_BID)
    return engine_busy()


def for_purchase(code: str, lot_id: int) -> DomainError:
    """The error for a refusal code of purchase.lua."""
    common = _common(code, lot_id)
    if common is not None:
        return common
    if code == "WRONG_MODE":
        return Conflict(
            "This lot is sold by sealed bid, not at a fixed price: place a bid instead.",
            code=NOT_FIXED_PRICE,
            title="Not a fixed-price lot",
        )
    if code == "SOLD":
        return already_sold()
    return engine_busy()
