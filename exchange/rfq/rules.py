"""The negotiation rules, as plain Python: who may move when, expiry, supersession, sample credit.

A thread is a conversation between one buyer org and one seller org about one lot. Offers alternate:
while an offer is open, only the *other* side may answer it (accept, counter or decline); its maker may
withdraw it. A new offer supersedes the previous open one. An offer past its valid-until is expired
whether or not the scheduler has noticed yet, so nothing here depends on a background job.

Every refusal is an `IllegalMove` with a stable code and a reason a person can act on; the services
turn it into a 409.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from exchange.errors import ErrorCode
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.lots.errors import LOT_UNAVAILABLE
from exchange.rfq.errors import (
    NOT_YOUR_MOVE,
    NOT_YOUR_TURN,
    NOTHING_TO_WITHDRAW,
    OFFER_EXPIRED,
    OFFER_NOT_IN_THREAD,
    OFFER_NOT_OPEN,
    OFFER_SUPERSEDED,
    OWN_OFFER,
    SAMPLE_STATE,
    THREAD_CLOSED,
    UNKNOWN_MOVE,
)

__all__ = [
    "DEFAULT_VALIDITY",
    "MAX_VALIDITY",
    "OFFER_STATUSES",
    "PAYMENT_TERMS",
    "SAMPLE_CREDIT_STATUSES",
    "THREAD_STATUSES",
    "IllegalMove",
    "OfferState",
    "Side",
    "ThreadState",
    "amount_after_sample_credit",
    "check_accept",
    "check_decline",
    "check_delivery_date",
    "check_offer",
    "check_sample_move",
    "check_withdraw",
    "effective_offer_status",
    "effective_thread_status",
    "latest_open_offer",
    "next_mover",
    "other_side",
    "sample_fee",
    "validity_window",
]

Side = Literal["buyer", "seller"]

THREAD_STATUSES = ("open", "accepted", "declined", "closed")
"""open: negotiating · accepted: an offer became an order · declined: a party ended it ·
closed: the lot went elsewhere (another thread, a purchase, an award) or the lot ended."""

OFFER_STATUSES = ("open", "superseded", "accepted", "declined", "withdrawn", "expired", "closed")
PAYMENT_TERMS = ("prepay", "net30", "net45")

DEFAULT_VALIDITY = timedelta(days=3)
"""How long an offer stands when its maker does not say."""
MAX_VALIDITY = timedelta(days=60)
MIN_VALIDITY = timedelta(minutes=5)

SAMPLE_CREDIT_STATUSES = ("ordered", "shipped")
"""Sample orders whose fee the buyer has committed to pay, and so get credited on the lot's order."""


class IllegalMove(Exception):
    """A move the rules refuse: `code` is stable for clients, `reason` is for people."""

    def __init__(self, error: ErrorCode, reason: str | Msg) -> None:
        super().__init__(str(reason))
        self.error = error
        self.code = error.code
        self.reason = reason


@dataclass(frozen=True)
class OfferState:
    id: int
    by_side: Side
    status: str
    valid_until: datetime


@dataclass(frozen=True)
class ThreadState:
    status: str
    lot_available: bool
    offers: tuple[OfferState, ...]
    """Oldest first."""


def other_side(side: Side) -> Side:
    return "seller" if side == "buyer" else "buyer"


def effective_offer_status(offer: OfferState, now: datetime) -> str:
    """The stored status, except that an open offer past its valid-until reads as expired."""
    if offer.status == "open" and offer.valid_until <= now:
        return "expired"
    return offer.status


def effective_thread_status(thread: ThreadState) -> str:
    """An open thread on a lot that is no longer for sale reads as closed."""
    if thread.status == "open" and not thread.lot_available:
        return "closed"
    return thread.status


def latest_open_offer(thread: ThreadState, now: datetime) -> OfferState | None:
    """The offer standing right now, if any (only the newest offer can be open)."""
    if not thread.offers:
        return None
    latest = thread.offers[-1]
    return latest if effective_offer_status(latest, now) == "open" else None


def next_mover(thread: ThreadState, now: datetime) -> Side | None:
    """Whose answer the thread waits for; None when either side may make a fresh offer or it has ended."""
    if effective_thread_status(thread) != "open":
        return None
    standing = latest_open_offer(thread, now)
    return other_side(standing.by_side) if standing else None


def _require_open(thread: ThreadState, doing: str) -> None:
    """`doing` is a phrase marked for translation (`N_`), said in the reader's language."""
    status = effective_thread_status(thread)
    if status == "open":
        return
    if status == "closed" and thread.status == "open":
        raise IllegalMove(LOT_UNAVAILABLE, Msg("You cannot {doing}: the lot is no longer available.", doing=Msg(doing)))
    raise IllegalMove(
        THREAD_CLOSED,
        Msg("You cannot {doing}: this negotiation has ended ({status}).", doing=Msg(doing), status=Msg(status)),
    )


def check_offer(thread: ThreadState, side: Side, now: datetime) -> OfferState | None:
    """May `side` make a new offer now? Returns the open offer it will supersede, if any.

    Offers alternate: while your own offer stands, wait for the other side (or withdraw it first).
    """
    _require_open(thread, N_("make an offer"))
    standing = latest_open_offer(thread, now)
    if standing is not None and standing.by_side == side:
        raise IllegalMove(
            NOT_YOUR_TURN,
            Msg("Your last offer is still open: wait for the other side to answer, or withdraw it to make a new one."),
        )
    return standing


def check_accept(thread: ThreadState, side: Side, offer_id: int, now: datetime) -> OfferState:
    """May `side` accept offer `offer_id`? Only the other side's latest, still-open offer can be accepted."""
    offer = next((o for o in thread.offers if o.id == offer_id), None)
    if offer is None:
        raise IllegalMove(
            OFFER_NOT_IN_THREAD, Msg("Offer {offer_id} is not part of this negotiation.", offer_id=offer_id)
        )
    _require_open(thread, N_("accept an offer"))
    if offer.by_side == side:
        raise IllegalMove(OWN_OFFER, Msg("You cannot accept your own offer; the other side must accept it."))
    status = effective_offer_status(offer, now)
    if offer is not thread.offers[-1] or status == "superseded":
        raise IllegalMove(
            OFFER_SUPERSEDED, Msg("This offer has been superseded by a newer one; answer the latest offer.")
        )
    if status == "expired":
        raise IllegalMove(OFFER_EXPIRED, Msg("This offer expired at its valid-until time; ask for a fresh offer."))
    if status != "open":
        raise IllegalMove(
            OFFER_NOT_OPEN, Msg("This offer can no longer be accepted (it is {status}).", status=Msg(status))
        )
    return offer


def check_decline(thread: ThreadState, side: Side) -> None:
    """Either party may end an open negotiation at any time."""
    _require_open(thread, N_("decline"))


def check_withdraw(thread: ThreadState, side: Side, now: datetime) -> OfferState:
    """The maker of the standing offer may take it back; the thread stays open for a fresh offer."""
    _require_open(thread, N_("withdraw an offer"))
    standing = latest_open_offer(thread, now)
    if standing is None or standing.by_side != side:
        raise IllegalMove(NOTHING_TO_WITHDRAW, Msg("You have no open offer in this negotiation to withdraw."))
    return standing


def validity_window(valid_until: datetime | None, now: datetime) -> datetime:
    """The offer's valid-until: the default when not given; refused when in the past or too far out."""
    if valid_until is None:
        return now + DEFAULT_VALIDITY
    if valid_until < now + MIN_VALIDITY:
        raise ValueError(Msg("The offer must stay valid for at least five minutes from now."))
    if valid_until > now + MAX_VALIDITY:
        raise ValueError(Msg("An offer can stay valid for at most {days} days.", days=MAX_VALIDITY.days))
    return valid_until


def check_delivery_date(delivery_by: date | None, today: date) -> None:
    if delivery_by is not None and delivery_by < today:
        raise ValueError(Msg("The delivery date cannot be in the past."))


_SAMPLE_MOVES: dict[str, tuple[tuple[Side, ...], tuple[str, ...], str]] = {
    # move: (who may make it, from which statuses, to which status)
    "price": (("seller",), ("requested",), "priced"),
    "confirm": (("buyer",), ("priced",), "ordered"),
    "ship": (("seller",), ("ordered",), "shipped"),
    "decline": (("buyer", "seller"), ("requested", "priced"), "declined"),
}


def check_sample_move(status: str, move: str, side: Side) -> str:
    """A sample order's next status: requested -> priced (seller) -> ordered (buyer) -> shipped (seller);
    either side may decline until it is ordered."""
    if move not in _SAMPLE_MOVES:
        raise IllegalMove(UNKNOWN_MOVE, Msg("There is no sample move {move}.", move=repr(move)))
    sides, from_statuses, to_status = _SAMPLE_MOVES[move]
    if side not in sides:
        raise IllegalMove(
            NOT_YOUR_MOVE, Msg("Only the {sides} can {move} a sample.", sides=" or ".join(sides), move=move)
        )
    if status not in from_statuses:
        raise IllegalMove(
            SAMPLE_STATE,
            Msg("A sample that is {status} cannot be {to_status} now.", status=Msg(status), to_status=Msg(to_status)),
        )
    return to_status


def sample_fee(units: int, unit_price_minor: int) -> int:
    """The fee of a sample order in minor units (units x sample price per unit)."""
    if units <= 0 or unit_price_minor < 0:
        raise ValueError("A sample needs at least one unit and a price that is not negative.")
    return units * unit_price_minor


def amount_after_sample_credit(price_minor: int, sample_fees_minor: Iterable[int]) -> tuple[int, int]:
    """(amount to pay, fee credited): paid sample fees come off the lot's price, never below zero."""
    fees = sum(sample_fees_minor)
    credited = min(fees, price_minor)
    return price_minor - credited, credited
