"""Rules of inspection and disputes that need no I/O: sample sizes, the suggested refund, the dispute's states.

The suggested refund is one pure function, `suggest_refund`, from the buyer's inspection record and the
listing to an amount with its formula shown line by line (the lines add up to the amount):

    excess   = max(0, defective / inspected - promised defect rate)      the sample's rate stands for the lot's
    defects  = amount x excess                                          units defective beyond the listing
    grade    = (amount - defects) x (1 - mid band(observed) / mid band(listed))   only when the grade is worse
    refund   = defects + grade   (rounded half-up once, so it never exceeds the amount)

The promised defect rate is a percentage the disclosure states next to a defect word ("up to 3 % stained"),
otherwise the listed grade's tolerance (A 0 %, B 5 %, C 10 %). Grade price bands are shares of the reference
(list) price a lot of that grade sells at: A 15-20 %, B 10-15 %, C 5-10 % unless a category has its own.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from exchange.money import format_minor

__all__ = [
    "DEFAULT_FLAT_SHARE",
    "DISPUTE_MOVES",
    "DISPUTE_STATUSES",
    "GRADE_PRICE_BANDS",
    "GRADE_TOLERANCE",
    "ISO2859_CODE_LETTERS",
    "ISO2859_SAMPLE_SIZES",
    "OPEN_STATUSES",
    "DisputeMove",
    "InspectionFindings",
    "Listing",
    "RefundLine",
    "RefundSuggestion",
    "dispute_actions",
    "dispute_move",
    "dispute_sides_for",
    "grade_bands",
    "iso2859_code_letter",
    "lot_size",
    "promised_defect_rate",
    "sample_size",
    "suggest_refund",
]

Sampling = Literal["flat", "iso2859"]
DEFAULT_FLAT_SHARE = Fraction(3, 10)
"""The share of the lot a flat-share inspection looks at (30 %)."""

# ISO 2859-1:1999, "Sampling procedures for inspection by attributes — Part 1", Table 1 (sample size code
# letters), column "General inspection level II": (largest lot size of the row, code letter).
ISO2859_CODE_LETTERS: tuple[tuple[int, str], ...] = (
    (8, "A"),
    (15, "B"),
    (25, "C"),
    (50, "D"),
    (90, "E"),
    (150, "F"),
    (280, "G"),
    (500, "H"),
    (1200, "J"),
    (3200, "K"),
    (10000, "L"),
    (35000, "M"),
    (150000, "N"),
    (500000, "P"),
)
ISO2859_LARGEST_LETTER = "Q"
"""Lots of 500 001 units and more."""
# ISO 2859-1:1999, Table 2-A (single sampling plans for normal inspection): sample size per code letter.
ISO2859_SAMPLE_SIZES: dict[str, int] = {
    "A": 2,
    "B": 3,
    "C": 5,
    "D": 8,
    "E": 13,
    "F": 20,
    "G": 32,
    "H": 50,
    "J": 80,
    "K": 125,
    "L": 200,
    "M": 315,
    "N": 500,
    "P": 800,
    "Q": 1250,
    "R": 2000,
}

GRADE_RANK = {"A": 0, "B": 1, "C": 2}
GRADE_TOLERANCE: dict[str, Fraction] = {"A": Fraction(0), "B": Fraction(5, 100), "C": Fraction(10, 100)}
"""The defect rate a grade promises when the disclosure names no rate of its own."""
GRADE_PRICE_BANDS: dict[str, dict[str, tuple[Fraction, Fraction]]] = {
    "": {
        "A": (Fraction(15, 100), Fraction(20, 100)),
        "B": (Fraction(10, 100), Fraction(15, 100)),
        "C": (Fraction(5, 100), Fraction(10, 100)),
    },
}
"""Share of the reference price a lot of each grade sells at, per category path ("" is every category's
default; a category without its own bands uses its nearest parent's)."""

DISPUTE_STATUSES = ("open", "offered", "escalated", "resolved")
OPEN_STATUSES = ("open", "offered", "escalated")
"""A dispute in one of these still holds the order's money in escrow."""


@dataclass(frozen=True, slots=True)
class DisputeMove:
    action: str
    side: str
    sources: tuple[str, ...]
    target: str
    note: str = ""


DISPUTE_MOVES: tuple[DisputeMove, ...] = (
    DisputeMove("accept", "seller", ("open",), "resolved", "the seller accepts the buyer's claim"),
    DisputeMove("offer", "seller", ("open",), "offered", "the seller offers a partial refund"),
    DisputeMove("reject", "seller", ("open",), "escalated", "a rejected claim goes to the admin queue"),
    DisputeMove("accept_offer", "buyer", ("offered", "escalated"), "resolved", "while the seller's offer stands"),
    DisputeMove("escalate", "buyer", ("open", "offered"), "escalated", "an unanswered claim from the answer deadline"),
    DisputeMove("escalate", "clock", ("open", "offered"), "escalated", "at the seller's answer deadline"),
    DisputeMove("decide", "admin", ("escalated",), "resolved", "refund, partial refund or release"),
)
"""Every move of a dispute: who takes which action from which status (compare-and-set on the status)."""


def dispute_move(action: str, side: str, status: str) -> DisputeMove | None:
    for move in DISPUTE_MOVES:
        if move.action == action and move.side == side and status in move.sources:
            return move
    return None


def dispute_sides_for(action: str) -> frozenset[str]:
    return frozenset(m.side for m in DISPUTE_MOVES if m.action == action)


def dispute_actions(status: str, side: str) -> list[str]:
    """The actions `side` may take on a dispute in `status` (a message may always be added before resolution)."""
    actions = list(dict.fromkeys(m.action for m in DISPUTE_MOVES if m.side == side and status in m.sources))
    if status in OPEN_STATUSES and side in ("buyer", "seller", "admin"):
        actions.append("message")
    return actions


_DEFECT_RATE = re.compile(
    r"(\d{1,2}(?:\.\d{1,2})?)\s*%[^.;%\d]{0,40}?"
    r"(defect|damage|stain|flaw|scratch|fault|broken|tear|torn|hole|misprint|dent|crack|fad|rust|wrinkl|spot)",
    re.IGNORECASE,
)


def lot_size(quantity: Decimal | int) -> int:
    """The lot's size in whole units for sampling (a fraction of a unit counts as one)."""
    return max(1, math.ceil(quantity))


def iso2859_code_letter(size: int) -> str:
    """The sample size code letter of ISO 2859-1 general inspection level II for a lot of `size` units."""
    for largest, letter in ISO2859_CODE_LETTERS:
        if size <= largest:
            return letter
    return ISO2859_LARGEST_LETTER


def sample_size(size: int, sampling: Sampling = "flat", flat_share: Fraction = DEFAULT_FLAT_SHARE) -> int:
    """How many units a sample inspection looks at; never more than the lot (then every unit is inspected)."""
    if size < 1:
        raise ValueError("a lot has at least one unit")
    wanted = ISO2859_SAMPLE_SIZES[iso2859_code_letter(size)] if sampling == "iso2859" else math.ceil(size * flat_share)
    return max(1, min(size, wanted))


def promised_defect_rate(grade: str, disclosure: str) -> Fraction:
    """The highest rate the disclosure states next to a defect word, else the grade's tolerance."""
    rates = [Fraction(Decimal(m.group(1))) / 100 for m in _DEFECT_RATE.finditer(disclosure or "")]
    return min(Fraction(1), max(rates)) if rates else GRADE_TOLERANCE.get(grade, Fraction(0))


def grade_bands(category: str) -> dict[str, tuple[Fraction, Fraction]]:
    """The grade price bands of a category: its own, its nearest parent's, or the default."""
    path = category or ""
    while path:
        if path in GRADE_PRICE_BANDS:
            return GRADE_PRICE_BANDS[path]
        path = path.rpartition("/")[0]
    return GRADE_PRICE_BANDS[""]


@dataclass(frozen=True, slots=True)
class InspectionFindings:
    units_inspected: int
    units_defective: int
    observed_grade: str | None = None


@dataclass(frozen=True, slots=True)
class Listing:
    """What the lot promised: its grade, its defect disclosure, its category and reference price per unit."""

    grade: str
    defects: str = ""
    category: str = ""
    reference_price_minor: int | None = None
    quantity_unit: str = ""


@dataclass(frozen=True, slots=True)
class RefundLine:
    label: str
    amount_minor: int


@dataclass(frozen=True, slots=True)
class RefundSuggestion:
    amount_minor: int
    lines: tuple[RefundLine, ...]
    defect_rate: Fraction
    promised_rate: Fraction
    grade_share: Fraction


def _pct(share: Fraction) -> str:
    return f"{float(share * 100):.2f} %"


def _middle(band: tuple[Fraction, Fraction]) -> Fraction:
    return (band[0] + band[1]) / 2


def _half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def suggest_refund(
    findings: InspectionFindings, listing: Listing, amount_minor: int, currency: str = "CNY"
) -> RefundSuggestion:
    """The partial refund the inspection findings price, with the formula line by line (see the module doc).

    Never negative, never above `amount_minor`, zero when the sample matches the listing, and growing with
    the sample's defect rate.
    """
    inspected = max(1, findings.units_inspected)
    defective = min(max(0, findings.units_defective), inspected)
    money = lambda minor: format_minor(minor, currency)  # noqa: E731
    rate = Fraction(defective, inspected)
    promised = promised_defect_rate(listing.grade, listing.defects)
    excess = max(Fraction(0), rate - promised)

    bands = grade_bands(listing.category)
    observed = findings.observed_grade
    grade_share = Fraction(0)
    if observed in GRADE_RANK and listing.grade in GRADE_RANK and GRADE_RANK[observed] > GRADE_RANK[listing.grade]:
        grade_share = 1 - _middle(bands[observed]) / _middle(bands[listing.grade])

    # Rounded once, on the total: so the total is monotone in the defect rate and at most the amount.
    total = _half_up(amount_minor * (1 - (1 - excess) * (1 - grade_share)))
    defects_minor = min(total, _half_up(amount_minor * excess))
    grade_minor = total - defects_minor
    lines = [
        RefundLine(
            f"Defects beyond the listing: {defective} of {inspected} sampled units defective ({_pct(rate)}) against "
            f"{_pct(promised)} promised for grade {listing.grade}; {_pct(excess)} of {money(amount_minor)}",
            defects_minor,
        )
    ]
    if grade_share:
        assert observed is not None
        low, high = bands[observed]
        band_text = f"{_pct(low)}-{_pct(high)}"
        if listing.reference_price_minor:
            unit = f"/{listing.quantity_unit}" if listing.quantity_unit else ""
            band_text += (
                f", {money(_half_up(listing.reference_price_minor * low))}-"
                f"{money(_half_up(listing.reference_price_minor * high))}{unit}"
            )
        lines.append(
            RefundLine(
                f"Grade {observed} observed against {listing.grade} listed: grade {observed} sells at {band_text} "
                f"of the reference price, {_pct(1 - grade_share)} of grade {listing.grade}'s value; "
                f"{_pct(grade_share)} of the remaining {money(amount_minor - defects_minor)}",
                grade_minor,
            )
        )
    return RefundSuggestion(total, tuple(lines), rate, promised, grade_share)
