"""Saved searches and notifications through the API, for the alerts tests."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.alerts.models import LotWentLiveRow
from exchange.mail.models import OutboxMail
from tests.conftest import Actor
from tests.support.waiting import eventually


async def save_search(
    client: AsyncTestClient[Litestar], buyer: Actor, query: str, *, frequency: str = "instant", name: str = "Mine"
) -> dict[str, Any]:
    response = await client.post(
        "/api/saved-searches", json={"name": name, "query": query, "frequency": frequency}, headers=buyer.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def alerts_of(client: AsyncTestClient[Litestar], org: Actor, kind: str = "saved_search_alert") -> list[str]:
    """The links of the org's notifications of `kind`, newest first."""
    notes = (await client.get("/api/notifications", headers=org.headers)).json()["items"]
    return [note["link"] for note in notes if note["kind"] == kind]


async def mails_to(db: async_sessionmaker[AsyncSession], email: str) -> list[str]:
    async with db() as session:
        return list(await session.scalars(select(OutboxMail.subject).where(OutboxMail.recipient == email)))


async def fanned_out(db: async_sessionmaker[AsyncSession], lot_id: int) -> None:
    """Wait until the lot's went-live rows are fanned out (by the publishing request or the app's job)."""

    async def done() -> bool | None:
        async with db() as session:
            pending = await session.scalar(
                select(func.count())
                .select_from(LotWentLiveRow)
                .where(LotWentLiveRow.lot_id == lot_id, LotWentLiveRow.processed_at.is_(None))
            )
        return True if pending == 0 else None

    await eventually(done, within=15)
