"""Asking the bid engine about a lot that does not exist is a 404 every time, at once.

The engine claims a lot while it loads it from SQL; a missing lot used to keep that claim until it
expired, so each repeated request waited about 5 s before its 404.
"""

from __future__ import annotations

import time

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import OrgFactory

MISSING_LOT = 987_654_321


async def test_repeated_sale_requests_for_a_missing_lot_are_answered_404_without_waiting(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    buyer = await make_org("buyer")
    for attempt in range(3):
        started = time.monotonic()
        answer = await client.delete(f"/api/lots/{MISSING_LOT}/bids/mine", headers=buyer.headers)
        assert answer.status_code == 404, answer.text
        assert time.monotonic() - started < 1.0, f"attempt {attempt} waited for a stale claim"
