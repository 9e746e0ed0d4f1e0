"""Fee rules that need no I/O: a schedule's tiers, and how an order's gross amount splits into the
platform's fee, the broker's commission and the seller's net.

**Tiers are marginal** (progressive brackets, like income tax): each tier's percentage applies only to the
part of the amount that falls inside it. With tiers `[{up_to: 10000.00, 5 %}, {up_to: None, 3 %}]` an order
of 30000.00 pays 5 % of the first 10000.00 and 3 % of the other 20000.00 = 1100.00. The fee therefore grows
continuously with the amount (a slightly larger order never pays less). The last tier has no upper bound.

Each tier's share is rounded half-up to the minor unit (`exchange.money.round_half_up`, the one rounding
rule), so the lines printed on a statement add up to the fee; the fixed fee per order is added once.

On a broker's proposal order the broker earns its margin (client price - seller's price) plus
`broker_percent` of the rest, both taken from the seller's side: the buyer pays the gross, the platform's
fee is computed on the gross, and the seller receives what is left. No part is ever negative, and the
three parts add up to the gross exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from exchange.errors import Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.money import format_minor, round_half_up

__all__ = [
    "DEFAULT_SCHEDULE",
    "PLATFORM_DEFAULT_CATEGORY",
    "FeeLine",
    "FeeSchedule",
    "FeeSplit",
    "Settlement",
    "Tier",
    "ancestors",
    "check_tiers",
    "fee_lines",
    "parse_percent",
    "percent_of",
    "percent_text",
    "platform_fee",
    "settle",
    "split",
]

HUNDRED = Decimal(100)
PERCENT_PLACES = 4
"""A percentage has at most 4 decimal places (0.0001 %)."""
MAX_TIERS = 20
PLATFORM_DEFAULT_CATEGORY = "*"
"""The category code of the platform-wide schedule, the root every category inherits from."""


@dataclass(frozen=True, slots=True)
class Tier:
    up_to_minor: int | None
    """The upper bound of this bracket in minor units (inclusive); None for the last, open-ended one."""
    percent: Decimal


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    tiers: tuple[Tier, ...]
    fixed_fee_minor: int = 0
    """Added once per order."""
    broker_percent: Decimal = Decimal(0)
    """On proposal orders: the broker's share of (gross - margin), on top of the margin."""


@dataclass(frozen=True, slots=True)
class FeeSplit:
    platform_fee: int
    broker_commission: int
    seller_net: int

    @property
    def gross(self) -> int:
        return self.platform_fee + self.broker_commission + self.seller_net


@dataclass(frozen=True, slots=True)
class Settlement:
    platform_fee: int
    broker_commission: int
    seller_net: int
    refund: int


@dataclass(frozen=True, slots=True)
class FeeLine:
    """One line of the fee's computation, for statements: `label` says what, `amount_minor` how much."""

    label: str
    amount_minor: int


DEFAULT_SCHEDULE = FeeSchedule(tiers=(Tier(None, Decimal(5)),), fixed_fee_minor=0, broker_percent=Decimal(2))
"""Used when no schedule has ever been set (not for a category, not platform-wide); settings may replace it."""


def _brackets(gross_minor: int, tiers: tuple[Tier, ...]) -> list[tuple[Tier, int, int]]:
    """(tier, lower bound, portion of the amount inside it) for each tier the amount reaches."""
    out: list[tuple[Tier, int, int]] = []
    lower = 0
    for tier in tiers:
        upper = gross_minor if tier.up_to_minor is None else min(gross_minor, tier.up_to_minor)
        if upper <= lower:
            break
        out.append((tier, lower, upper - lower))
        if tier.up_to_minor is None:
            break
        lower = tier.up_to_minor
    return out


def percent_of(amount_minor: int, percent: Decimal) -> int:
    return round_half_up(Decimal(amount_minor) * percent / HUNDRED)


def platform_fee(gross_minor: int, schedule: FeeSchedule) -> int:
    """The platform's fee on an order of `gross_minor`: the tiers' shares plus the fixed fee, capped at the gross."""
    tiered = sum(percent_of(portion, tier.percent) for tier, _, portion in _brackets(gross_minor, schedule.tiers))
    return min(gross_minor, tiered + schedule.fixed_fee_minor) if gross_minor > 0 else 0


def split(gross_minor: int, schedule: FeeSchedule, margin_minor: int = 0, *, proposal: bool | None = None) -> FeeSplit:
    """Split an order's gross amount into the platform's fee (tiers + fixed fee), the broker's commission and
    the seller's net (the rest).

    A proposal order (`proposal`, by default: a positive `margin_minor`) pays the broker
    margin + broker_percent x (gross - margin); any other order pays no commission. The parts are never
    negative and always add up to `gross_minor` exactly: the fee is capped at the gross, the commission at
    what the fee leaves."""
    if gross_minor < 0:
        raise ValueError("gross_minor must not be negative")
    if proposal is None:
        proposal = margin_minor > 0
    fee = platform_fee(gross_minor, schedule)
    commission = 0
    if proposal:
        margin = max(0, min(margin_minor, gross_minor))
        commission = min(margin + percent_of(gross_minor - margin, schedule.broker_percent), gross_minor - fee)
    return FeeSplit(platform_fee=fee, broker_commission=commission, seller_net=gross_minor - fee - commission)


def settle(
    gross_minor: int,
    schedule: FeeSchedule,
    margin_minor: int = 0,
    *,
    refund_minor: int = 0,
    proposal: bool | None = None,
) -> Settlement:
    """What settlement pays from an order's escrow: the buyer's refund first (capped at the gross), then the
    split of what the seller keeps (gross - refund) into fee, commission and net. Adds up to the gross."""
    refund = max(0, min(refund_minor, gross_minor))
    kept = gross_minor - refund
    parts = split(
        kept, schedule, min(margin_minor, kept), proposal=proposal if proposal is not None else margin_minor > 0
    )
    return Settlement(parts.platform_fee, parts.broker_commission, parts.seller_net, refund)


def fee_lines(gross_minor: int, schedule: FeeSchedule, currency: str = "CNY") -> list[FeeLine]:
    """The platform fee line by line (one per tier reached, then the fixed fee); they add up to `platform_fee`
    except when the fee was capped at the gross (then a last negative line says so)."""
    lines: list[FeeLine] = []
    for tier, lower, portion in _brackets(gross_minor, schedule.tiers):
        upper = "" if tier.up_to_minor is None else format_minor(tier.up_to_minor, currency)
        bracket = (
            f"above {format_minor(lower, currency)}" if not upper else f"{format_minor(lower, currency)} to {upper}"
        )
        label = f"{percent_text(tier.percent)} % of {format_minor(portion, currency)} ({bracket})"
        lines.append(FeeLine(label, percent_of(portion, tier.percent)))
    if schedule.fixed_fee_minor:
        lines.append(FeeLine("Fixed fee per order", schedule.fixed_fee_minor))
    total = sum(line.amount_minor for line in lines)
    capped = platform_fee(gross_minor, schedule)
    if total != capped:
        lines.append(FeeLine("Capped at the order amount", capped - total))
    return lines


def parse_percent(raw: str | int | None, *, field: str) -> Decimal:
    """A percentage from 0 to 100 given as a decimal string ("2.5") or a whole number; 422 naming the field."""
    if raw is None or isinstance(raw, bool) or not isinstance(raw, str | int):
        raise Unprocessable(
            Msg('Give {field} as a decimal string like "2.5" (a percentage).', field=field), field=field
        )
    text = str(raw).strip()
    if isinstance(raw, str) and not all(c in "0123456789." for c in text):
        raise Unprocessable(
            Msg(
                '{field} must be a percentage in plain digits like "2.5", not {value}.',
                field=field,
                value=repr(raw[:20]),
            ),
            field=field,
        )
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Unprocessable(
            Msg('{field} must be a percentage like "2.5", not {value}.', field=field, value=repr(text[:20])),
            field=field,
        ) from None
    if not value.is_finite() or value < 0 or value > HUNDRED:
        raise Unprocessable(Msg("{field} must be between 0 and 100.", field=field), field=field)
    if value != value.quantize(Decimal(1).scaleb(-PERCENT_PLACES)):
        raise Unprocessable(
            Msg("{field} has more than {count} decimal places.", field=field, count=PERCENT_PLACES), field=field
        )
    return value


def percent_text(percent: Decimal) -> str:
    """A percentage as the API writes it: "2.5", "100", "0.0125" (no exponent, no trailing zeros)."""
    return format(percent.normalize(), "f")


def check_tiers(tiers: list[Tier], *, field: str = "tiers") -> tuple[Tier, ...]:
    """Tiers in increasing order of their bounds, every bound positive, only the last one open-ended;
    the last one must be open-ended so that every amount has a percentage."""
    if not tiers:
        raise Unprocessable(
            N_("Give at least one tier (its percentage; the last tier has no upper bound)."), field=field
        )
    if len(tiers) > MAX_TIERS:
        raise Unprocessable(Msg("A schedule has at most {count} tiers.", count=MAX_TIERS), field=field)
    previous = 0
    for index, tier in enumerate(tiers):
        last = index == len(tiers) - 1
        if tier.up_to_minor is None and not last:
            raise Unprocessable(
                N_("Only the last tier may be open-ended (without up_to)."), field=f"{field}[{index}].up_to"
            )
        if tier.up_to_minor is not None:
            if last:
                raise Unprocessable(
                    N_("The last tier must be open-ended (leave out up_to) so that every amount has a percentage."),
                    field=f"{field}[{index}].up_to",
                )
            if tier.up_to_minor <= previous:
                raise Unprocessable(
                    N_("Tier bounds must increase: each up_to larger than the one before."),
                    field=f"{field}[{index}].up_to",
                )
            previous = tier.up_to_minor
    return tuple(tiers)


def ancestors(category_code: str) -> list[str]:
    """The category, then its parents, nearest first, then the platform default: `a/b` -> [`a/b`, `a`, `*`]."""
    chain: list[str] = []
    code = category_code
    while code:
        chain.append(code)
        code = code.rpartition("/")[0]
    chain.append(PLATFORM_DEFAULT_CATEGORY)
    return chain
