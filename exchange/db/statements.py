"""Shapes of statement parameters that keep PostgreSQL's prepared statements few."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["padded_ids"]


def padded_ids(ids: Sequence[int]) -> list[int]:
    """`ids` padded to a power of two with repeats of the last one (same rows for `IN`/`= ANY`): a handful of
    statement texts for PostgreSQL to prepare once per connection, not one for every number of ids."""
    values = list(ids)
    return values + values[-1:] * ((1 << (len(values) - 1).bit_length()) - len(values))
