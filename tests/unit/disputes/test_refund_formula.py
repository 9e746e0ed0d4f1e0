from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exchange.disputes.rules import (
    InspectionFindings,
    Listing,
    iso2859_code_letter,
    promised_defect_rate,
    sample_size,
    suggest_refund,
)


@pytest.mark.parametrize(
    ("size", "letter", "sample"),
    [
        (2, "A", 2),
        (8, "A", 2),
        (9, "B", 3),
        (50, "D", 8),
        (51, "E", 13),
        (500, "H", 50),
        (501, "J", 80),
        (1200, "J", 80),
        (3201, "L", 200),
        (10000, "L", 200),
        (35001, "N", 500),
        (500001, "Q", 1250),
    ],
)
def test_iso2859_general_level_ii_sample_sizes_follow_the_standard_tables(size: int, letter: str, sample: int) -> None:
    assert iso2859_code_letter(size) == letter
    assert sample_size(size, "iso2859") == sample


def test_a_sample_is_never_larger_than_the_lot() -> None:
    assert sample_size(1, "iso2859") == 1
    assert sample_size(1, "flat") == 1


def test_flat_sampling_takes_thirty_percent_rounded_up() -> None:
    assert sample_size(1000) == 300
    assert sample_size(7) == 3
    assert sample_size(200, flat_share=Fraction(1, 10)) == 20


def test_the_promised_rate_is_the_disclosures_own_or_the_grades_tolerance() -> None:
    assert promised_defect_rate("A", "") == 0
    assert promised_defect_rate("B", "minor pilling on some rolls") == Fraction(5, 100)
    assert promised_defect_rate("C", "up to 8 % of cartons dented, 2% stained") == Fraction(8, 100)
    assert promised_defect_rate("B", "cotton 60 %, polyester 40 %") == Fraction(5, 100)


def test_a_sample_that_matches_the_listing_suggests_nothing() -> None:
    suggestion = suggest_refund(InspectionFindings(50, 2, "B"), Listing("B", "minor pilling"), 1_000_000)
    assert suggestion.amount_minor == 0
    assert [line.amount_minor for line in suggestion.lines] == [0]


def test_excess_defects_are_refunded_at_their_share_of_the_amount() -> None:
    suggestion = suggest_refund(InspectionFindings(40, 12, None), Listing("B", "minor pilling"), 1_000_000)
    # 12/40 = 30 % against 5 % promised: 25 % of 10000.00
    assert suggestion.amount_minor == 250_000
    assert "30.00 %" in suggestion.lines[0].label
    assert "5.00 %" in suggestion.lines[0].label


def test_a_worse_grade_takes_the_band_ratio_of_what_remains() -> None:
    listing = Listing("A", "", "textiles/fabric", reference_price_minor=5000, quantity_unit="m")
    suggestion = suggest_refund(InspectionFindings(20, 2, "C"), listing, 1_000_000)
    # defects: 10 % of 10000.00 = 1000.00; grade C (mid 7.5 %) against A (mid 17.5 %): 4/7 of 9000.00 = 5142.86
    assert [line.amount_minor for line in suggestion.lines] == [100_000, 514_286]
    assert suggestion.amount_minor == 614_286
    assert "2.50-5.00/m" in suggestion.lines[1].label


def test_a_better_grade_than_listed_refunds_nothing() -> None:
    assert suggest_refund(InspectionFindings(10, 0, "A"), Listing("C", "dents"), 500_000).amount_minor == 0


grades = st.sampled_from(["A", "B", "C"])


@st.composite
def inspections(draw: st.DrawFn) -> tuple[InspectionFindings, Listing, int]:
    inspected = draw(st.integers(1, 5000))
    defective = draw(st.integers(0, inspected))
    listing = Listing(draw(grades), draw(st.sampled_from(["", "minor stains", "up to 12 % of units damaged"])))
    observed = draw(st.none() | grades)
    return InspectionFindings(inspected, defective, observed), listing, draw(st.integers(0, 10**13))


@given(inspections())
def test_the_suggestion_is_never_negative_nor_above_the_amount_and_its_lines_add_up(
    case: tuple[InspectionFindings, Listing, int],
) -> None:
    findings, listing, amount = case
    suggestion = suggest_refund(findings, listing, amount)
    assert 0 <= suggestion.amount_minor <= amount
    assert all(line.amount_minor >= 0 for line in suggestion.lines)
    assert sum(line.amount_minor for line in suggestion.lines) == suggestion.amount_minor


@given(inspections(), st.integers(0, 5000))
def test_more_defects_in_the_same_sample_never_lower_the_suggestion(
    case: tuple[InspectionFindings, Listing, int], more: int
) -> None:
    findings, listing, amount = case
    defective = min(findings.units_inspected, findings.units_defective + more)
    worse = InspectionFindings(findings.units_inspected, defective, findings.observed_grade)
    assert suggest_refund(worse, listing, amount).amount_minor >= suggest_refund(findings, listing, amount).amount_minor


@given(inspections())
def test_a_sample_within_the_promise_and_grade_suggests_zero(case: tuple[InspectionFindings, Listing, int]) -> None:
    findings, listing, amount = case
    within = InspectionFindings(findings.units_inspected, 0, listing.grade)
    assert suggest_refund(within, listing, amount).amount_minor == 0


@given(inspections())
def test_a_worse_observed_grade_never_lowers_the_suggestion(case: tuple[InspectionFindings, Listing, int]) -> None:
    findings, listing, amount = case
    amounts = [
        suggest_refund(InspectionFindings(findings.units_inspected, findings.units_defective, grade), listing, amount)
        for grade in ("A", "B", "C")
    ]
    assert [a.amount_minor for a in amounts] == sorted(a.amount_minor for a in amounts)
