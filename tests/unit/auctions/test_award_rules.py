from __future__ import annotations

from decimal import Decimal

from exchange.auctions.rules import RankedBid, decide_award, deposit_amount, rank_bids


def bid(org: int, amount: int, seq: int) -> RankedBid:
    return RankedBid(bidder_org_id=org, amount_minor=amount, rank_seq=seq)


def test_the_highest_bid_wins_and_pays_its_own_amount() -> None:
    award = decide_award([bid(1, 500, 1), bid(2, 700, 2), bid(3, 600, 3)], reserve_minor=None)
    assert award.winner == bid(2, 700, 2)
    assert award.price_minor == 700


def test_a_tie_goes_to_the_amount_placed_first() -> None:
    award = decide_award([bid(1, 700, 9), bid(2, 700, 4), bid(3, 650, 1)], reserve_minor=None)
    assert award.winner is not None
    assert award.winner.bidder_org_id == 2


def test_nothing_is_awarded_below_the_reserve_or_without_bids() -> None:
    assert decide_award([bid(1, 499, 1)], reserve_minor=500).winner is None
    assert decide_award([], reserve_minor=None).winner is None
    assert decide_award([bid(1, 500, 1)], reserve_minor=500).price_minor == 500


def test_second_price_pays_the_runner_up_but_never_less_than_the_reserve() -> None:
    bids = [bid(1, 900, 1), bid(2, 700, 2), bid(3, 100, 3)]
    assert decide_award(bids, reserve_minor=None, second_price=True).price_minor == 700
    assert decide_award(bids, reserve_minor=800, second_price=True).price_minor == 800
    lone = [bid(1, 900, 1)]
    assert decide_award(lone, reserve_minor=None, second_price=True).price_minor == 900
    assert decide_award(lone, reserve_minor=None, second_price=True, min_bid_minor=300).price_minor == 300


def test_second_price_with_a_tie_at_the_top_charges_the_tied_amount() -> None:
    award = decide_award([bid(1, 800, 2), bid(2, 800, 1)], reserve_minor=None, second_price=True)
    assert award.winner is not None
    assert award.winner.bidder_org_id == 2
    assert award.price_minor == 800


def test_ranking_orders_by_amount_then_by_when_it_was_placed() -> None:
    ranked = rank_bids([bid(1, 5, 3), bid(2, 9, 2), bid(3, 5, 1)])
    assert [b.bidder_org_id for b in ranked] == [2, 3, 1]


def test_a_deposit_is_a_share_of_the_reference_value_rounded_up() -> None:
    assert (
        deposit_amount(percent=5, reference_price_minor=1234, quantity_value=Decimal("10"), min_bid_minor=None) == 617
    )
    assert deposit_amount(percent=10, reference_price_minor=None, quantity_value=None, min_bid_minor=1001) == 101
    assert deposit_amount(percent=10, reference_price_minor=None, quantity_value=None, min_bid_minor=None) == 0
