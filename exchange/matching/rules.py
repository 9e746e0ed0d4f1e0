"""The brokers' desk rules, pure and in one place: how a lot meets a procurement request.

`evaluate` checks every hard constraint of a request against one candidate lot; a lot passing all of
them is a match, one failing exactly one is a near miss (with what failed and by how much), and one
failing only on quantity is a bundle part. `score` ranks matches by soft factors and explains itself:
the contributions of its factors add up exactly to the score (both in hundredths of a point, 0-100).
Visibility is the client's, decided by `exchange.lots.visibility` before a lot becomes a candidate: a
lot the client may not see is never a match, a near miss or a bundle part.

The money of a proposal is here too: the broker's margin is the client's price less the broker's cost
(the lot's price), and the broker's commission is the margin plus `commission_percent` of the cost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any, NamedTuple

from exchange.fees import rules as fee_rules
from exchange.i18n.catalog import N_

__all__ = [
    "CERTIFICATES",
    "COMMISSION_PERCENT",
    "FACTOR_POINTS",
    "GRADE_POINTS",
    "PROPOSAL_ACTIONS",
    "Bound",
    "Candidate",
    "Check",
    "Evaluation",
    "Need",
    "Score",
    "bundle_part",
    "evaluate",
    "line_money",
    "normalise_certificate",
    "price_kind",
    "score",
]

CERTIFICATES = ("3C", "CE", "FCC", "RoHS", "UL", "ISO 9001", N_("brand authorisation"), N_("food safety"))
"""Certificates a request may require; a lot declares them among its certifications."""

COMMISSION_PERCENT = fee_rules.DEFAULT_SCHEDULE.broker_percent
"""The broker's commission on the cost of what a proposal sells, on top of the margin, shown while the proposal
is drafted (the platform default's broker rate); an accepted proposal's orders carry the rate of the fee schedule
each order keeps, which is what settlement pays."""

FACTOR_POINTS = {"price fit": 3000, "spec margin": 2000, "quantity fit": 2000, "region": 1000, "seller record": 1000}
"""Each soft factor's most points, in hundredths (with `grade` the total is 100.00)."""
GRADE_POINTS = {"A": 1000, "B": 600, "C": 300}
SELLER_SALES_FOR_FULL_RECORD = 10

PROPOSAL_ACTIONS = {
    "draft": ("send",),
    "sent": ("accept", "decline"),
    "accepted": (),
    "declined": (),
    "expired": (),
}
"""A proposal's states and what may be done in each."""

HARD_CONSTRAINTS = ("status", "category", "grade", "certificates", "specs", "shelf life", "quantity", "price")


@dataclass(frozen=True, slots=True)
class Bound:
    """One spec constraint: a number in SI base units (`gte`, `lte`, `eq`), or a word or flag (`eq`)."""

    key: str
    op: str
    value: float | str | bool
    unit: str | None = None
    """The unit the constraint is shown in."""
    per_base: float = 1.0
    """How many shown units one base unit is."""


@dataclass(frozen=True, slots=True)
class Need:
    quantity: Decimal
    unit: str
    budget_max_minor: int
    currency: str
    deliver_by: date
    budget_min_minor: int | None = None
    budget_total_minor: int | None = None
    categories: frozenset[str] = frozenset()
    """Accepted category codes, sub-categories included."""
    certificates: tuple[str, ...] = ()
    groups: tuple[tuple[Bound, ...], ...] = ()
    min_shelf_life_days: int | None = None
    region: str = ""
    grades: tuple[str, ...] = ()
    max_sellers: int | None = None


@dataclass(slots=True)
class Candidate:
    lot_id: int
    seller_org_id: int
    category: str
    grade: str
    quantity: Decimal | None
    """In the request's unit; None when the lot's unit does not convert to it."""
    price_minor: int | None
    """The known price of the whole lot: the fixed price, or a sealed-bid lot's minimum bid; None: on request."""
    currency: str = "CNY"
    status: str = "live"
    visible: bool = True
    """May the client see it (`exchange.lots.visibility`)."""
    specs: dict[str, Any] = field(default_factory=dict)
    """Numbers in SI base units (see `Bound`), words as given."""
    certifications: tuple[str, ...] = ()
    best_before: date | None = None
    region: str = ""
    city: str = ""
    seller_sales: int = 0
    quantity_text: str = ""


class Check(NamedTuple):
    constraint: str
    passed: bool
    why: Callable[[], str]
    """Written only when asked for (`margin`): ranking 100 000 lots needs the verdicts, not the words."""

    @property
    def margin(self) -> str:
        """What the lot has against what is wanted; for a failure, by how much it misses."""
        return self.why()


class Evaluation(NamedTuple):
    candidate: Candidate
    checks: tuple[Check, ...]
    failures: int

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)

    @property
    def is_match(self) -> bool:
        return self.candidate.visible and not self.failures

    @property
    def is_near_miss(self) -> bool:
        return self.candidate.visible and self.failures == 1


class Score(NamedTuple):
    total: int
    """Hundredths of a point, 0 to 10000."""
    factors: tuple[tuple[str, int, Callable[[], str]], ...]
    """(factor, contribution in hundredths, why (written when called)); the contributions add up to `total`."""


@cache
def normalise_certificate(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def price_kind(sale_mode: str, min_bid_minor: int | None) -> str:
    """How a proposal line of this lot is taken up: bought (fixed price), bid (sealed bid with a known
    minimum) or asked for (RFQ: price on request)."""
    if sale_mode == "fixed_price":
        return "buy"
    return "bid" if min_bid_minor is not None else "rfq"


def _pct(part: Decimal | float, whole: Decimal | float) -> str:
    if not whole:
        return "0 %"
    return f"{abs(Decimal(str(part)) / Decimal(str(whole)) * 100).quantize(Decimal('1'), ROUND_HALF_UP)} %"


def _num(value: float | Decimal) -> str:
    return f"{float(value):.6g}"


def _shown(value: float, bound: Bound) -> str:
    unit = f" {bound.unit}" if bound.unit else ""
    return f"{_num(value * bound.per_base)}{unit}"


def unit_price(need: Need, candidate: Candidate) -> Decimal | None:
    """Minor units per unit of the request's quantity, when the lot's price and quantity are known."""
    if candidate.price_minor is None or not candidate.quantity:
        return None
    return Decimal(candidate.price_minor) / candidate.quantity


def _money(minor: Decimal | int) -> str:
    return f"{(Decimal(minor) / 100).quantize(Decimal('0.01'), ROUND_HALF_UP)}"


def _bound_verdict(bound: Bound, value: Any) -> tuple[bool, float]:
    """(passed, relative margin: how far past the bound, negative when short)."""
    if value is None:
        return False, -1.0
    if isinstance(bound.value, bool | str):
        ok = str(value).casefold() == str(bound.value).casefold()
        return ok, 0.0 if ok else -1.0
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False, -1.0
    target = float(bound.value)
    scale = abs(target) or 1.0
    if bound.op == "gte":
        return value >= target - 1e-9 * scale, (value - target) / scale
    if bound.op == "lte":
        return value <= target + 1e-9 * scale, (target - value) / scale
    # (an exact value has no margin to speak of)
    return abs(value - target) <= 1e-9 * scale, 0.0


def _bound_text(bound: Bound, value: Any, ok: bool, rel: float) -> str:
    if value is None:
        return f"{bound.key} not stated"
    if isinstance(bound.value, bool | str):
        return f"{bound.key} {value}" + ("" if ok else f", not {bound.value}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{bound.key} {value} is not a number"
    target = float(bound.value)
    if bound.op == "gte":
        word = "above" if rel >= 0 else "below"
        return f"{bound.key} {_shown(value, bound)}, {_pct(rel, 1)} {word} the {_shown(target, bound)} minimum"
    if bound.op == "lte":
        word = "under" if rel >= 0 else "over"
        return f"{bound.key} {_shown(value, bound)}, {_pct(rel, 1)} {word} the {_shown(target, bound)} maximum"
    return f"{bound.key} {_shown(value, bound)}" + ("" if ok else f", not {_shown(target, bound)}")


def _bound_check(bound: Bound, value: Any) -> tuple[bool, Callable[[], str], float]:
    """(passed, text, relative margin: how far past the bound, negative when short)."""
    ok, rel = _bound_verdict(bound, value)
    return ok, lambda: _bound_text(bound, value, ok, rel), rel


def _numeric(bound: Bound) -> bool:
    """A min/max bound on a number: its margin counts in the spec margin."""
    return bound.op in ("gte", "lte") and not isinstance(bound.value, str | bool)


def _group_result(group: tuple[Bound, ...], specs: dict[str, Any]) -> tuple[int, list[Callable[[], str]], list[float]]:
    """(constraints failed, texts, margins of the numeric min/max constraints)."""
    failed, texts, margins = 0, [], []
    for bound in group:
        ok, text, rel = _bound_check(bound, specs.get(bound.key))
        texts.append(text)
        if not ok:
            failed += 1
        elif _numeric(bound):
            margins.append(rel)
    return failed, texts, margins


def _group_margins(group: tuple[Bound, ...], specs: dict[str, Any]) -> list[float] | None:
    """The margins of a group's numeric min/max constraints when every constraint holds (None otherwise):
    `_group_result` without the words."""
    margins = []
    for bound in group:
        ok, rel = _bound_verdict(bound, specs.get(bound.key))
        if not ok:
            return None
        if _numeric(bound):
            margins.append(rel)
    return margins


def _joined(prefix: str, texts: list[Callable[[], str]]) -> Callable[[], str]:
    return lambda: prefix + "; ".join(text() for text in texts)


def spec_margin(need: Need, candidate: Candidate) -> float | None:
    """The best passing group's mean relative margin over its numeric bounds (None: no numeric bound)."""
    best: float | None = None
    for group in need.groups:
        margins = _group_margins(group, candidate.specs)
        if margins:
            mean = sum(margins) / len(margins)
            best = mean if best is None else max(best, mean)
    return best


# The passes that read nothing of the lot, made once (ranking checks thousands of lots).
_NO_SPEC_REQUIREMENTS = Check("specs", True, lambda: "no spec requirements")
_NO_SHELF_REQUIREMENT = Check("shelf life", True, lambda: "no shelf-life requirement")
_NO_CERTIFICATES = Check("certificates", True, lambda: "none required")


def _specs_check(need: Need, candidate: Candidate) -> Check:
    if not need.groups:
        return _NO_SPEC_REQUIREMENTS
    results = []
    for index, group in enumerate(need.groups):
        result = _group_result(group, candidate.specs)
        if result[0] == 0:  # the first group that holds
            which = f"group {index + 1}: " if len(need.groups) > 1 else ""
            return Check("specs", True, _joined(which, result[1]))
        results.append(result)
    index = min(range(len(results)), key=lambda i: results[i][0])
    _failed, texts, _m = results[index]
    which = f"closest group {index + 1}: " if len(need.groups) > 1 else ""
    return Check("specs", False, _joined(which, texts))


def _quantity_check(need: Need, candidate: Candidate) -> Check:
    qty = candidate.quantity
    if qty is None:
        return Check(
            "quantity", False, lambda: f"{candidate.quantity_text or 'its unit'} does not convert to {need.unit}"
        )
    if qty < need.quantity:
        short = need.quantity - qty
        return Check(
            "quantity", False, lambda: f"{_num(short)} {need.unit} short ({_pct(short, need.quantity)} of the need)"
        )
    extra = qty - need.quantity
    return Check(
        "quantity",
        True,
        lambda: f"{_num(qty)} {need.unit} for {_num(need.quantity)} needed ({_pct(extra, need.quantity)} more)",
    )


def _price_check(need: Need, candidate: Candidate) -> Check:
    if candidate.currency != need.currency:
        return Check("price", False, lambda: f"priced in {candidate.currency}, not {need.currency}")
    price = unit_price(need, candidate)
    if price is None:
        return Check("price", True, lambda: "price on request")
    known = price

    def shown() -> str:
        return f"{_money(known)} {need.currency} per {need.unit}"

    if price > need.budget_max_minor:
        return Check(
            "price",
            False,
            lambda: f"{shown()}, {_pct(known - need.budget_max_minor, need.budget_max_minor)} over budget",
        )
    if need.budget_min_minor is not None and price < need.budget_min_minor:
        low = need.budget_min_minor
        return Check("price", False, lambda: f"{shown()}, {_pct(low - known, low)} under the budget minimum")
    total = need.budget_total_minor
    if total is not None and candidate.price_minor is not None and candidate.price_minor > total:
        whole = candidate.price_minor
        return Check("price", False, lambda: f"lot total {_pct(whole - total, total)} over the total budget")
    top = need.budget_max_minor
    return Check("price", True, lambda: f"{shown()}, {_pct(top - known, top)} under the {_money(top)} maximum")


def _shelf_check(need: Need, candidate: Candidate) -> Check:
    if need.min_shelf_life_days is None:
        return _NO_SHELF_REQUIREMENT
    if candidate.best_before is None:
        return Check("shelf life", True, lambda: "no best-before date (not perishable)")
    days = (candidate.best_before - need.deliver_by).days
    if days < need.min_shelf_life_days:
        short = need.min_shelf_life_days - days
        return Check("shelf life", False, lambda: f"shelf life {short} days short at delivery")
    wanted = need.min_shelf_life_days
    return Check("shelf life", True, lambda: f"{days} days left at delivery, {wanted} required")


def _status_check(need: Need, c: Candidate) -> Check:
    return Check("status", c.status == "live", lambda: c.status)


def _category_check(need: Need, c: Candidate) -> Check:
    ok = not need.categories or c.category in need.categories
    return Check("category", ok, lambda: c.category if ok else f"{c.category} is not an accepted category")


def _grade_check(need: Need, c: Candidate) -> Check:
    ok = not need.grades or c.grade in need.grades
    return Check("grade", ok, lambda: f"grade {c.grade}" + ("" if ok else f", wanted {'/'.join(need.grades)}"))


def _certificates_check(need: Need, c: Candidate) -> Check:
    if not need.certificates:
        return _NO_CERTIFICATES
    held = {normalise_certificate(x) for x in c.certifications}
    missing = [x for x in need.certificates if normalise_certificate(x) not in held]
    return Check(
        "certificates",
        not missing,
        lambda: ("missing " + ", ".join(missing)) if missing else ", ".join(need.certificates),
    )


CHECKS = (
    _status_check,
    _category_check,
    _grade_check,
    _certificates_check,
    _quantity_check,
    _price_check,
    _shelf_check,
    _specs_check,
)
"""The hard constraints, cheapest first (the order explanations list them in)."""


def evaluate(need: Need, candidate: Candidate, *, give_up_after: int | None = None) -> Evaluation:
    """Every hard constraint of the request, checked against one lot. With `give_up_after=n`, stop at the
    n-th failure: such a lot is no match, no near miss and no bundle part, which is all ranking needs."""
    checks = []
    failures = 0
    for check in CHECKS:
        result = check(need, candidate)
        checks.append(result)
        if not result.passed:
            failures += 1
            if give_up_after is not None and failures >= give_up_after:
                break
    return Evaluation(candidate, tuple(checks), failures)


def bundle_part(evaluation: Evaluation) -> bool:
    """A lot that may go into a bundle: visible, all hard constraints met but perhaps the quantity (too
    small on its own), a known price, and a quantity in the request's unit."""
    c = evaluation.candidate
    if not c.visible or c.price_minor is None or not c.quantity or evaluation.failures > 1:
        return False
    return all(check.passed or check.constraint == "quantity" for check in evaluation.checks)


def score(need: Need, candidate: Candidate, *, seller_sales: int | None = None) -> Score:
    """The soft score of a match, factor by factor (hundredths of a point); `seller_sales` overrides the
    candidate's own count (looked up after the hard constraints, for the lots that pass them)."""
    sold = candidate.seller_sales if seller_sales is None else seller_sales
    factors: list[tuple[str, int, Callable[[], str]]] = []
    top = FACTOR_POINTS["price fit"]
    price = unit_price(need, candidate)
    if price is None:
        factors.append(("price fit", top // 2, lambda: "price on request"))
    else:
        floor = Decimal(need.budget_min_minor or 0)
        span = Decimal(need.budget_max_minor) - floor
        share = (Decimal(need.budget_max_minor) - price) / span if span > 0 else Decimal(1)
        left = min(max(share, Decimal(0)), Decimal(1))
        factors.append(("price fit", int(top * left), lambda: f"{_pct(left, 1)} of the budget range left"))

    top = FACTOR_POINTS["spec margin"]
    margin = spec_margin(need, candidate)
    if margin is None:
        factors.append(("spec margin", top // 2, lambda: "no numeric spec bound"))
    else:
        share_f = min(max(margin, 0.0), 1.0)
        beyond = margin
        factors.append(
            ("spec margin", int(top * share_f), lambda: f"{_pct(beyond, 1)} beyond the spec bounds on average")
        )

    top = FACTOR_POINTS["quantity fit"]
    if candidate.quantity:
        fit = min(need.quantity / candidate.quantity, Decimal(1))
        factors.append(("quantity fit", int(top * fit), lambda: f"the need is {_pct(fit, 1)} of the lot"))
    else:
        factors.append(("quantity fit", 0, lambda: "quantity not comparable"))

    top = FACTOR_POINTS["region"]
    wanted = need.region.strip().casefold()
    if wanted and wanted in (candidate.region.strip().casefold(), candidate.city.strip().casefold()):
        factors.append(("region", top, lambda: f"ships from {need.region}"))
    else:
        factors.append(("region", top // 4, lambda: f"ships from {candidate.region or candidate.city or 'elsewhere'}"))

    top = FACTOR_POINTS["seller record"]
    sales = min(sold, SELLER_SALES_FOR_FULL_RECORD)
    record = top * sales // SELLER_SALES_FOR_FULL_RECORD
    factors.append(("seller record", record, lambda: f"{sold} sales"))

    factors.append(("grade", GRADE_POINTS.get(candidate.grade, 0), lambda: f"grade {candidate.grade}"))
    return Score(total=sum(points for _n, points, _w in factors), factors=tuple(factors))


def line_money(cost_minor: int | None, client_price_minor: int, commission_percent: Decimal) -> tuple[int, int]:
    """(margin, commission) of one proposal line, in minor units. Without a known cost (RFQ) there is no
    margin yet: the whole price is the client's offer."""
    cost = cost_minor if cost_minor is not None else client_price_minor
    margin = client_price_minor - cost
    # the same split settlement pays (`exchange.fees.rules.split`): margin + broker_percent x cost
    split = fee_rules.split(client_price_minor, _commission_only(commission_percent), max(margin, 0), proposal=True)
    return margin, split.broker_commission


def _commission_only(commission_percent: Decimal) -> fee_rules.FeeSchedule:
    """A schedule with no platform fee, so `split` gives the broker's whole commission uncapped by a fee."""
    return fee_rules.FeeSchedule(tiers=(), fixed_fee_minor=0, broker_percent=commission_percent)
