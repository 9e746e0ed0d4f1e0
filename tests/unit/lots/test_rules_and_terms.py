from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from exchange.errors import Unprocessable
from exchange.lots.rules import check_defects, check_sale_terms, listing_window
from exchange.lots.terms import query_terms, terms_of
from exchange.settings import DEFAULT_MIN_BIDDING_WINDOW

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("grade", ["B", "C"])
def test_grades_b_and_c_need_a_defect_disclosure(grade: str) -> None:
    with pytest.raises(Unprocessable):
        check_defects(grade, "  ")
    check_defects(grade, "Shade variation between rolls")
    check_defects("A", "")


def test_a_fixed_price_lot_needs_a_price_and_takes_no_reserve() -> None:
    with pytest.raises(Unprocessable):
        check_sale_terms("fixed_price", price=None, reserve=None, min_bid=None, deposit_percent=None)
    with pytest.raises(Unprocessable):
        check_sale_terms("fixed_price", price=100, reserve=50, min_bid=None, deposit_percent=None)
    with pytest.raises(Unprocessable):
        check_sale_terms("sealed_bid", price=None, reserve=100, min_bid=200, deposit_percent=None)
    check_sale_terms("sealed_bid", price=None, reserve=200, min_bid=100, deposit_percent=10)


def test_the_listing_window_ends_a_sealed_bid_at_its_close_and_a_fixed_price_after_its_days() -> None:
    hour = DEFAULT_MIN_BIDDING_WINDOW
    assert listing_window(NOW, 14, "fixed_price", None, min_bidding=hour) == (NOW + timedelta(days=14), None)
    assert listing_window(NOW, 14, "sealed_bid", None, min_bidding=hour) == (
        NOW + timedelta(days=14),
        NOW + timedelta(days=14),
    )
    closes = NOW + timedelta(days=3)
    assert listing_window(NOW, 7, "sealed_bid", closes, min_bidding=hour) == (closes, closes)
    for bad in (NOW + timedelta(minutes=5), NOW + timedelta(days=8)):
        with pytest.raises(Unprocessable):
            listing_window(NOW, 7, "sealed_bid", bad, min_bidding=hour)


def test_the_shortest_bidding_window_is_the_operators_setting_and_says_so() -> None:
    with pytest.raises(Unprocessable, match="at least 1 hour after publishing"):
        listing_window(NOW, 7, "sealed_bid", NOW + timedelta(minutes=59), min_bidding=DEFAULT_MIN_BIDDING_WINDOW)
    soon = NOW + timedelta(seconds=5)
    assert listing_window(NOW, 7, "sealed_bid", soon, min_bidding=timedelta(seconds=2)) == (soon, soon)
    with pytest.raises(Unprocessable, match="at least 10 seconds after publishing"):
        listing_window(NOW, 7, "sealed_bid", soon, min_bidding=timedelta(seconds=10))


def test_terms_are_lower_case_words_lightly_stemmed_and_chinese_characters_with_their_pairs() -> None:
    assert terms_of("Cotton Twills for the Workwear") == {"cotton", "twill", "workwear"}
    assert terms_of("纯棉") == {"纯", "棉", "纯棉"}
    assert query_terms("Twills ab") == [("twill", True), ("ab", False)]
    assert query_terms("纯棉布") == [("纯棉", False), ("棉布", False)]
