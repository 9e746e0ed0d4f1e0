"""Every change of a lot's status appends an audit record in the same transaction, and a sealed-bid close
records each bid with its final amount and rank."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.closing import award_lot
from exchange.audit.models import AuditRecord
from exchange.audit.verify import verify_log
from exchange.lots.services import expire_due_lots
from tests.conftest import Actor, OrgFactory
from tests.support.catalogue import POWER_BANK, post_lot, publish
from tests.support.lots import live_lot


async def _trail(db: async_sessionmaker[AsyncSession], object_type: str, object_id: int) -> list[dict[str, Any]]:
    async with db() as session:
        rows = await session.scalars(
            select(AuditRecord)
            .where(AuditRecord.object_type == object_type, AuditRecord.object_id == object_id)
            .order_by(AuditRecord.seq)
        )
        return [
            {
                "actor": row.actor,
                "action": row.action,
                "before": None if row.before is None else msgspec.json.decode(row.before),
                "after": None if row.after is None else msgspec.json.decode(row.after),
            }
            for row in rows
        ]


async def _chain_is_intact(db: async_sessionmaker[AsyncSession]) -> None:
    async with db() as session:
        report = await verify_log(session)
    assert report.ok, report.violations


async def test_publish_and_withdraw_are_recorded_with_who_and_what(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    lot_id = await live_lot(db, seller, sale_mode="fixed_price", price_minor=100_000)
    withdrawn = await client.post(f"/api/lots/{lot_id}/withdraw", headers=seller.headers)
    assert withdrawn.status_code == 200, withdrawn.text
    publish_record, withdraw_record = await _trail(db, "lot", lot_id)
    assert publish_record["actor"] == f"org:{seller.org_id}"
    assert publish_record["action"] == "publish"
    assert publish_record["before"] == {"status": "draft"}
    assert publish_record["after"]["status"] == "live"
    assert publish_record["after"]["published_at"].endswith("Z")
    assert withdraw_record == {
        "actor": f"org:{seller.org_id}",
        "action": "withdraw",
        "before": {"status": "live"},
        "after": {"status": "withdrawn"},
    }
    await _chain_is_intact(db)


async def test_review_and_approval_are_recorded(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, admin: Actor
) -> None:
    seller = await make_org("seller")
    draft = await post_lot(client, seller, POWER_BANK)
    assert (await publish(client, seller, draft["id"]))["status"] == "in_review"
    approved = await client.post(f"/api/admin/lots/{draft['id']}/approve", json={}, headers=admin.headers)
    assert approved.status_code == 200, approved.text
    trail = await _trail(db, "lot", draft["id"])
    assert [(r["actor"], r["action"], r["before"]["status"], r["after"]["status"]) for r in trail] == [
        (f"org:{seller.org_id}", "publish", "draft", "in_review"),
        (f"admin:{admin.user_id}", "approve", "in_review", "live"),
    ]


async def test_a_purchase_and_an_expiry_are_recorded(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    bought = await live_lot(db, seller, sale_mode="fixed_price", price_minor=250_000)
    order = await client.post(f"/api/lots/{bought}/purchase", headers=buyer.headers)
    assert order.status_code == 201, order.text
    *_, sale = await _trail(db, "lot", bought)
    assert sale["actor"] == f"org:{buyer.org_id}"
    assert sale["action"] == "sell"
    assert sale["before"] == {"status": "live"}
    assert sale["after"] == {
        "status": "sold",
        "order_id": order.json()["id"],
        "buyer_org_id": buyer.org_id,
        "amount": "2500.00",
        "currency": "CNY",
        "source": "purchase",
    }

    old = datetime.now(UTC) - timedelta(days=15)
    stale = await live_lot(db, seller, sale_mode="fixed_price", price_minor=100_000, published_at=old)
    async with db() as session, session.begin():
        assert stale in await expire_due_lots(session, datetime.now(UTC))
    *_, expiry = await _trail(db, "lot", stale)
    assert expiry == {
        "actor": "clock",
        "action": "expire",
        "before": {"status": "live"},
        "after": {"status": "expired"},
    }
    await _chain_is_intact(db)


async def _bid(client: AsyncTestClient[Litestar], lot_id: int, buyer: Actor, amount: str) -> None:
    placed = await client.post(f"/api/lots/{lot_id}/bids", json={"amount": amount}, headers=buyer.headers)
    assert placed.status_code == 201, placed.text


async def test_a_close_records_the_lot_and_every_bid_with_its_rank(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, first, second = await make_org("seller"), await make_org("buyer"), await make_org("buyer")
    lot_id = await live_lot(db, seller)
    await _bid(client, lot_id, first, "900")
    await _bid(client, lot_id, second, "700")
    result = await award_lot(db, lot_id)
    assert result is not None
    assert result.outcome == "awarded"

    *_, close = await _trail(db, "lot", lot_id)
    assert (close["actor"], close["action"], close["after"]["status"]) == ("clock", "close", "awarded")
    assert close["after"]["order_id"] == result.order_id
    bids = await _trail(db, "bid", lot_id)
    assert [
        (b["after"]["bidder_org_id"], b["after"]["amount"], b["after"]["rank"], b["after"]["won"]) for b in bids
    ] == [
        (first.org_id, "900.00", 1, True),
        (second.org_id, "700.00", 2, False),
    ]
    assert {(b["actor"], b["action"]) for b in bids} == {("clock", "close")}
    await _chain_is_intact(db)


async def test_an_unsold_close_is_recorded_with_its_bids(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    lot_id = await live_lot(db, seller, reserve_price_minor=1_000_000)
    await _bid(client, lot_id, buyer, "500")
    result = await award_lot(db, lot_id)
    assert result is not None
    assert result.outcome == "unsold"
    *_, close = await _trail(db, "lot", lot_id)
    assert close == {"actor": "clock", "action": "close", "before": {"status": "live"}, "after": {"status": "unsold"}}
    (bid,) = await _trail(db, "bid", lot_id)
    assert (bid["after"]["rank"], bid["after"]["won"], bid["after"]["amount"]) == (1, False, "500.00")
