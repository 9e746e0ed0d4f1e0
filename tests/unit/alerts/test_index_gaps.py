"""A worker's index looks again for ids it skipped while loading (PostgreSQL commits out of id order)."""

from __future__ import annotations

from exchange.alerts.services.fanout import AlertIndex


def test_skipped_ids_are_remembered_as_gaps_and_big_jumps_are_not() -> None:
    alerts = AlertIndex()
    alerts._note_gaps(10, [11, 14, 15])
    assert set(alerts._gaps) == {12, 13}
    alerts._note_gaps(15, [5_000])
    assert set(alerts._gaps) == {12, 13}  # a jump of thousands is not a few racing transactions
