"""A shutdown step is bounded even when it ignores being cancelled."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from exchange import shutdown
from tests.support.threads import seconds_to_finish


async def _stubborn() -> None:
    """A step that swallows every cancellation, as a retry loop catching BaseException would."""
    while True:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(3600)


def test_a_step_that_ignores_its_cancellation_is_left_behind_within_the_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutdown, "SHUTDOWN_STEP_SECONDS", 0.2)
    monkeypatch.setattr(shutdown, "SHUTDOWN_GRACE_SECONDS", 0.2)
    took = seconds_to_finish(lambda: shutdown.bounded(_stubborn(), "stubborn step"), within=10)
    assert took is not None, "the shutdown step never returned"
    assert took < 5


async def test_a_step_that_fails_is_reported_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    async def broken() -> None:
        raise ConnectionError("peer gone")

    await shutdown.bounded(broken(), "broken step")
    assert "broken step failed (ConnectionError)" in caplog.text
