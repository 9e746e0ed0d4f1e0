"""Saved searches and notifications through the API, for the alerts tests."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.mail.models import OutboxMail
from tests.conftest import Actor


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
