"""Watching a lot is idempotent: simultaneous "watch" calls from one organisation all succeed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import OrgFactory
from tests.support.lots import live_lot
from tests.support.pages import page_headers
from tests.support.parallel import Call, fire_together

ROUNDS = 5
AT_ONCE = 4


async def test_simultaneous_watch_calls_from_one_org_all_answer_watching(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, watcher = await make_org("seller"), await make_org("buyer")
    closes_at = datetime.now(UTC) + timedelta(days=2)
    for _round in range(ROUNDS):
        lot_id = await live_lot(db, seller, closes_at=closes_at)
        answers = fire_together(client, [Call("PUT", f"/api/lots/{lot_id}/watch", watcher.headers)] * AT_ONCE)
        assert [a.status_code for a in answers] == [200] * AT_ONCE, [a.text[:200] for a in answers]
        assert all(a.json() == {"lot_id": lot_id, "watching": True} for a in answers)
        unwatch = await client.delete(f"/api/lots/{lot_id}/watch", headers=watcher.headers)
        assert unwatch.json() == {"lot_id": lot_id, "watching": False}


async def test_simultaneous_watch_forms_from_one_org_all_succeed(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, watcher = await make_org("seller"), await make_org("buyer")
    headers = await page_headers(client, watcher)
    closes_at = datetime.now(UTC) + timedelta(days=2)
    for _round in range(ROUNDS):
        lot_id = await live_lot(db, seller, closes_at=closes_at)
        answers = fire_together(client, [Call("POST", f"/lots/{lot_id}/sale/watch", headers)] * AT_ONCE)
        assert all(a.status_code < 500 for a in answers), [a.status_code for a in answers]
        assert all(a.status_code in (200, 303) for a in answers), [a.text[:200] for a in answers]
        page = await client.get(f"/lots/{lot_id}/sale", headers=headers)
        assert "Stop watching" in page.text
