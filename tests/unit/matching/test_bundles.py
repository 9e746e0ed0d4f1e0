"""Bundles from the CP-SAT solver against brute force on small random instances."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from exchange.matching.bundles import Part, best_bundles


def _brute_force(
    parts: list[Part], need: int, over: int, max_sellers: int | None, budget: int | None
) -> list[tuple[int, frozenset[int]]]:
    feasible = []
    for size in range(1, len(parts) + 1):
        for combo in itertools.combinations(parts, size):
            quantity = sum(p.quantity for p in combo)
            cost = sum(p.cost for p in combo)
            sellers = {p.seller_org_id for p in combo}
            if not need <= quantity <= need + over:
                continue
            if max_sellers is not None and len(sellers) > max_sellers:
                continue
            if budget is not None and cost > budget:
                continue
            feasible.append((cost, frozenset(p.lot_id for p in combo)))
    return sorted(feasible, key=lambda item: item[0])


parts_strategy = st.lists(
    st.builds(
        lambda q, c, s: (q, c, s),
        st.integers(1, 60),
        st.integers(0, 5000),
        st.integers(1, 4),
    ),
    min_size=1,
    max_size=9,
)


@settings(max_examples=60, deadline=None)
@given(
    raw=parts_strategy,
    need=st.integers(1, 150),
    over_percent=st.integers(0, 30),
    max_sellers=st.one_of(st.none(), st.integers(1, 3)),
    budget=st.one_of(st.none(), st.integers(0, 20000)),
)
def test_bundles_cover_within_limits_and_are_the_brute_force_optimum(
    raw: list[tuple[int, int, int]], need: int, over_percent: int, max_sellers: int | None, budget: int | None
) -> None:
    parts = [Part(lot_id=i + 1, seller_org_id=s, quantity=q, cost=c) for i, (q, c, s) in enumerate(raw)]
    over = need * over_percent // 100
    found = best_bundles(parts, need, max_overage=over, max_sellers=max_sellers, budget_total=budget, work=5)
    expected = _brute_force(parts, need, over, max_sellers, budget)
    by_id = {p.lot_id: p for p in parts}
    assert len(found) == min(5, len(expected))
    assert len({b.lot_ids for b in found}) == len(found), "bundles are distinct"
    for bundle in found:
        lots = [by_id[i] for i in bundle.lot_ids]
        assert need <= sum(p.quantity for p in lots) <= need + over
        assert bundle.cost == sum(p.cost for p in lots)
        if max_sellers is not None:
            assert len({p.seller_org_id for p in lots}) <= max_sellers
        if budget is not None:
            assert bundle.cost <= budget
        assert frozenset(bundle.lot_ids) in {ids for _c, ids in expected}
    assert [b.cost for b in found] == [cost for cost, _ids in expected[: len(found)]]
    assert all(b.proven_optimal for b in found)


def test_no_bundle_when_the_lots_do_not_reach_the_need() -> None:
    parts = [Part(1, 1, 10, 100), Part(2, 2, 10, 100)]
    assert best_bundles(parts, 50, max_overage=5) == []


def test_the_seller_limit_picks_a_dearer_single_seller_bundle() -> None:
    parts = [Part(1, 1, 50, 100), Part(2, 2, 50, 100), Part(3, 3, 100, 500)]
    best = best_bundles(parts, 100, max_overage=0, max_sellers=1)
    assert [b.lot_ids for b in best] == [(3,)]
    assert [b.lot_ids for b in best_bundles(parts, 100, max_overage=0)] == [(1, 2), (3,)]
