"""How the opening report shows ties: equal amounts, the ranks the earlier-placed-first rule gave them, and
whether their times need more than seconds to tell them apart."""

from __future__ import annotations

from exchange.auctions.rules import RankedBid, Tie, rank_bids, ties_in

SECOND = 1_000_000


def placed(org: int, amount: int, seq: int, at_us: int) -> RankedBid:
    return RankedBid(bidder_org_id=org, amount_minor=amount, rank_seq=seq, placed_at_us=at_us)


def test_equal_amounts_are_one_tie_with_the_earlier_bid_ranked_higher() -> None:
    later = placed(1, 1_450_000, seq=7, at_us=100 * SECOND)
    earlier = placed(2, 1_450_000, seq=3, at_us=40 * SECOND)
    ranked = rank_bids([later, placed(3, 1_300_000, seq=1, at_us=SECOND), earlier])
    assert ranked[:2] == [earlier, later]
    assert ties_in(ranked) == [Tie(amount_minor=1_450_000, ranks=(1, 2), same_second=False)]


def test_a_tie_placed_within_one_second_asks_for_finer_times() -> None:
    ranked = rank_bids([placed(1, 500, 2, 16 * SECOND + 900_000), placed(2, 500, 1, 16 * SECOND + 100_000)])
    assert ties_in(ranked) == [Tie(amount_minor=500, ranks=(1, 2), same_second=True)]


def test_every_group_of_equal_amounts_is_its_own_tie_and_distinct_amounts_are_none() -> None:
    bids = [placed(org, amount, org, org * SECOND) for org, amount in enumerate((900, 700, 900, 500, 700, 700), 1)]
    ties = ties_in(rank_bids(bids))
    assert [(tie.amount_minor, tie.ranks) for tie in ties] == [(900, (1, 2)), (700, (3, 4, 5))]
    assert ties_in(rank_bids([placed(1, 3, 1, 0), placed(2, 2, 2, 0), placed(3, 1, 3, 0)])) == []
    assert ties_in([]) == []
