from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from exchange.db.statements import padded_ids


@given(st.lists(st.integers(1, 10**6), min_size=1, max_size=600, unique=True))
def test_padding_keeps_the_same_ids_and_gives_few_statement_sizes(ids: list[int]) -> None:
    padded = padded_ids(sorted(ids))
    assert set(padded) == set(ids)
    assert padded[: len(ids)] == sorted(ids)
    assert len(padded) & (len(padded) - 1) == 0  # a power of two
    assert len(padded) < 2 * len(ids)
