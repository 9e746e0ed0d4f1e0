from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from exchange.clock import ManualClock, SystemClock


def test_a_manual_clock_stands_still_until_advanced() -> None:
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    clock = ManualClock(start)
    assert clock.now() == start
    assert clock.advance(90) == start + timedelta(seconds=90)
    assert clock.now() == start + timedelta(seconds=90)


def test_a_manual_clock_refuses_a_time_without_a_zone() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ManualClock(datetime(2026, 1, 5, 9, 0))


def test_the_system_clock_tells_utc() -> None:
    assert SystemClock().now().tzinfo is UTC
