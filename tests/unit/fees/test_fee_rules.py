"""The split of an order's amount: marginal tiers, the fixed fee, broker commission, half-up rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exchange.errors import Unprocessable
from exchange.fees.rules import (
    FeeSchedule,
    Tier,
    ancestors,
    check_tiers,
    fee_lines,
    parse_percent,
    percent_text,
    settle,
    split,
)
from exchange.money import round_half_up

TIERED = FeeSchedule(
    tiers=(Tier(1_000_000, Decimal(5)), Tier(None, Decimal(3))), fixed_fee_minor=1_000, broker_percent=Decimal(2)
)


def test_tiers_are_marginal_brackets() -> None:
    # 5 % of the first 10000.00, 3 % of the other 20000.00, plus the fixed 10.00
    result = split(3_000_000, TIERED)
    assert result.platform_fee == 50_000 + 60_000 + 1_000
    assert result.broker_commission == 0
    assert result.seller_net == 3_000_000 - 111_000
    # below the first bound only the first tier counts
    assert split(100_000, TIERED).platform_fee == 5_000 + 1_000


def test_a_larger_order_never_pays_a_smaller_fee_at_a_tier_bound() -> None:
    assert split(1_000_001, TIERED).platform_fee >= split(1_000_000, TIERED).platform_fee


def test_the_broker_gets_its_margin_and_its_rate_of_the_rest_from_the_sellers_side() -> None:
    result = split(3_000_000, TIERED, margin_minor=100_000)
    assert result.platform_fee == 111_000  # the buyer's gross pays the same fee
    assert result.broker_commission == 100_000 + 58_000  # margin + 2 % of 29000.00
    assert result.seller_net == 3_000_000 - 111_000 - 158_000


def test_a_proposal_with_no_margin_still_pays_the_brokers_rate() -> None:
    assert split(1_000_000, TIERED, proposal=True).broker_commission == 20_000


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2.5", 3), ("2.4999", 2), ("-2.5", -3), ("0.5", 1), ("0.49", 0), ("7", 7)],
)
def test_half_up_rounding(value: str, expected: int) -> None:
    assert round_half_up(Decimal(value)) == expected


def test_each_tier_share_is_rounded_half_up_once() -> None:
    schedule = FeeSchedule(tiers=(Tier(None, Decimal("2.5")),))
    assert split(101, schedule).platform_fee == 3  # 2.525 -> 3
    assert split(100, schedule).platform_fee == 3  # 2.5 -> 3 (half up)
    assert split(99, schedule).platform_fee == 2  # 2.475 -> 2


def test_the_fee_is_capped_at_the_gross() -> None:
    schedule = FeeSchedule(tiers=(Tier(None, Decimal(0)),), fixed_fee_minor=5_000)
    assert split(1_000, schedule).platform_fee == 1_000
    assert split(1_000, schedule).seller_net == 0
    lines = fee_lines(1_000, schedule)
    assert sum(line.amount_minor for line in lines) == 1_000


def test_the_fee_lines_add_up_to_the_fee() -> None:
    lines = fee_lines(3_000_000, TIERED)
    assert [line.amount_minor for line in lines] == [50_000, 60_000, 1_000]
    assert "5 % of 10000.00" in lines[0].label


percents = st.decimals(min_value=0, max_value=100, places=4)


@st.composite
def schedules(draw: st.DrawFn) -> FeeSchedule:
    bounds = sorted(set(draw(st.lists(st.integers(1, 10**11), max_size=4))))
    tiers = [Tier(bound, draw(percents)) for bound in bounds] + [Tier(None, draw(percents))]
    return FeeSchedule(tuple(tiers), draw(st.integers(0, 10**8)), draw(percents))


@settings(max_examples=300, deadline=None)
@given(gross=st.integers(0, 10**15), schedule=schedules(), margin=st.integers(0, 10**15), proposal=st.booleans())
def test_the_parts_always_add_up_to_the_gross_and_are_never_negative(
    gross: int, schedule: FeeSchedule, margin: int, proposal: bool
) -> None:
    result = split(gross, schedule, margin, proposal=proposal)
    assert result.platform_fee + result.broker_commission + result.seller_net == gross
    assert min(result.platform_fee, result.broker_commission, result.seller_net) >= 0
    assert sum(line.amount_minor for line in fee_lines(gross, schedule)) == result.platform_fee


@pytest.mark.parametrize("raw", ["-1", "100.01", "abc", "1e2", "NaN", "2.55555", "", True, None, "+5"])
def test_bad_percentages_are_refused_naming_the_field(raw: object) -> None:
    with pytest.raises(Unprocessable) as caught:
        parse_percent(raw, field="broker_percent")  # type: ignore[arg-type]
    assert caught.value.field == "broker_percent"


def test_percentages_read_and_written_without_exponents() -> None:
    assert percent_text(parse_percent("100", field="p")) == "100"
    assert percent_text(parse_percent("2.50", field="p")) == "2.5"
    assert percent_text(parse_percent(0, field="p")) == "0"


@pytest.mark.parametrize(
    ("tiers", "field"),
    [
        ([], "tiers"),
        ([Tier(100, Decimal(1))], "tiers[0].up_to"),
        ([Tier(None, Decimal(1)), Tier(None, Decimal(1))], "tiers[0].up_to"),
        ([Tier(200, Decimal(1)), Tier(100, Decimal(1)), Tier(None, Decimal(1))], "tiers[1].up_to"),
        ([Tier(100, Decimal(1)), Tier(100, Decimal(1)), Tier(None, Decimal(1))], "tiers[1].up_to"),
    ],
)
def test_tiers_must_increase_and_end_open(tiers: list[Tier], field: str) -> None:
    with pytest.raises(Unprocessable) as caught:
        check_tiers(tiers)
    assert caught.value.field == field


def test_a_category_inherits_from_its_parents_then_the_platform_default() -> None:
    assert ancestors("textiles/fabric") == ["textiles/fabric", "textiles", "*"]
    assert ancestors("metals") == ["metals", "*"]


@settings(max_examples=200, deadline=None)
@given(
    gross=st.integers(0, 10**13),
    schedule=schedules(),
    margin=st.integers(0, 10**13),
    refund=st.integers(0, 10**13),
)
def test_settlement_with_a_refund_adds_up_to_the_gross(
    gross: int, schedule: FeeSchedule, margin: int, refund: int
) -> None:
    result = settle(gross, schedule, margin, refund_minor=refund)
    assert result.platform_fee + result.broker_commission + result.seller_net + result.refund == gross
    assert min(result.platform_fee, result.broker_commission, result.seller_net, result.refund) >= 0


def test_fees_are_charged_on_what_the_seller_keeps_after_a_refund() -> None:
    result = settle(3_000_000, TIERED, refund_minor=1_000_000)
    assert result.refund == 1_000_000
    assert result.platform_fee == split(2_000_000, TIERED).platform_fee
