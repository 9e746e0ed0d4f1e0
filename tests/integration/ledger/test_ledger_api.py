"""GET /api/ledger/accounts and /api/ledger/accounts/{id}/entries: an org's own, admins all, 404 otherwise."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.ledger import accounts
from exchange.ledger import services as ledger
from tests.conftest import Actor, OrgFactory

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


async def _funded(db: async_sessionmaker[AsyncSession], buyer: Actor, payments: int) -> int:
    async with db() as session, session.begin():
        external = await ledger.account_for(session, accounts.EXTERNAL, "CNY")
        held = await ledger.account_for(session, accounts.DEPOSITS_HELD, "CNY", org_id=buyer.org_id)
        for n in range(payments):
            await ledger.post(
                session,
                key=f"api-test:{uuid.uuid4().hex}",
                moves=[ledger.Move(external, held, 1_000_00 + n * 100)],
                at=NOW,
                memo=f"deposit {n}",
            )
        hold_id = await ledger.hold(
            session, key=f"api-test:{uuid.uuid4().hex}", move=ledger.Move(held, external, 250_00), at=NOW
        )
        assert hold_id
    return held


async def test_an_org_sees_its_own_accounts_with_decimal_balances(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, admin: Actor
) -> None:
    buyer, other = await make_org("buyer"), await make_org("buyer")
    held = await _funded(db, buyer, 2)

    mine = await client.get("/api/ledger/accounts", headers=buyer.headers)
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert body["total"] == 1
    assert body["next"] is None
    (account,) = body["items"]
    assert account == {
        "id": held,
        "purpose": "deposits_held",
        "currency": "CNY",
        "org_id": buyer.org_id,
        "order_id": None,
        "posted": "2001.00",
        "pending_out": "250.00",
        "pending_in": "0.00",
        "available": "1751.00",
    }
    assert (await client.get("/api/ledger/accounts", headers=other.headers)).json()["items"] == []
    nosy = await client.get(f"/api/ledger/accounts?org_id={buyer.org_id}", headers=other.headers)
    assert nosy.json()["items"] == []

    everyone = await client.get("/api/ledger/accounts?limit=200", headers=admin.headers)
    assert everyone.status_code == 200
    assert everyone.json()["total"] >= 2  # the world's account too
    filtered = await client.get(f"/api/ledger/accounts?org_id={buyer.org_id}", headers=admin.headers)
    assert [a["id"] for a in filtered.json()["items"]] == [held]
    external = await client.get("/api/ledger/accounts?purpose=external", headers=admin.headers)
    assert {a["purpose"] for a in external.json()["items"]} == {"external"}


async def test_an_accounts_entries_come_newest_first_in_pages_and_are_404_to_other_orgs(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, admin: Actor
) -> None:
    buyer, other = await make_org("buyer"), await make_org("buyer")
    held = await _funded(db, buyer, 3)

    first = await client.get(f"/api/ledger/accounts/{held}/entries?limit=2", headers=buyer.headers)
    assert first.status_code == 200, first.text
    page = first.json()
    assert page["total"] == 3
    assert [(e["direction"], e["amount"], e["memo"]) for e in page["items"]] == [
        ("in", "1002.00", "deposit 2"),
        ("in", "1001.00", "deposit 1"),
    ]
    assert page["next"] == f"/api/ledger/accounts/{held}/entries?limit=2&offset=2"
    rest = (await client.get(page["next"], headers=buyer.headers)).json()
    assert [e["amount"] for e in rest["items"]] == ["1000.00"]
    assert rest["next"] is None
    assert rest["items"][0]["kind"] == "post"

    assert (await client.get(f"/api/ledger/accounts/{held}/entries", headers=other.headers)).status_code == 404
    assert (await client.get(f"/api/ledger/accounts/{held}/entries", headers=admin.headers)).status_code == 200
    assert (await client.get(f"/api/ledger/accounts/{held}/entries")).status_code == 401
    assert (await client.get("/api/ledger/accounts")).status_code == 401
    missing = await client.get("/api/ledger/accounts/2147483647/entries", headers=admin.headers)
    assert missing.status_code == 404


async def test_bad_paging_and_filters_are_named_in_a_422(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    buyer = await make_org("buyer")
    for query, field in (("limit=0", "limit"), ("offset=-1", "offset"), ("purpose=pocket", "purpose")):
        answer = await client.get(f"/api/ledger/accounts?{query}", headers=buyer.headers)
        assert answer.status_code == 422, answer.text
        assert answer.json()["field"] == field
