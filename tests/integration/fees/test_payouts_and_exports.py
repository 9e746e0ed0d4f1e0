"""Payout batches (idempotent, through the ledger), their CSV, the period exports, the seller's pages."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, datetime

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.errors import Conflict
from exchange.fees import payouts
from exchange.ledger import accounts
from exchange.ledger import services as ledger
from exchange.orders.services import create_order_for_lot
from tests.conftest import Actor, OrgFactory
from tests.support.lots import live_lot
from tests.support.pages import PageSession


async def _owe(db: async_sessionmaker[AsyncSession], seller: Actor, amount_minor: int, currency: str = "CNY") -> None:
    """Money a seller is owed, as settlement would post it (through the ledger service)."""
    async with db() as session, session.begin():
        external = await ledger.account_for(session, accounts.EXTERNAL, currency=currency)
        payable = await ledger.account_for(session, accounts.SELLER_PAYABLE, currency=currency, org_id=seller.org_id)
        await ledger.post(
            session,
            key=f"test-owe:{uuid.uuid4().hex}",
            moves=[ledger.Move(from_account=external, to_account=payable, amount_minor=amount_minor)],
            at=datetime.now(UTC),
        )


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_a_payout_batch_pays_each_seller_once_and_is_idempotent(
    db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    first, second = await make_org("seller", name="=HYPERLINK(1)"), await make_org("seller")
    await _owe(db, first, 150_000, "HKD")
    await _owe(db, second, 25_050, "HKD")
    key = uuid.uuid4().hex
    async with db() as session, session.begin():
        batch = await payouts.create_batch(session, key=key, currency="HKD", at=datetime.now(UTC), created_by=None)
    async with db() as session, session.begin():
        again = await payouts.create_batch(session, key=key, currency="HKD", at=datetime.now(UTC), created_by=None)
    assert again.id == batch.id
    async with db() as session:
        mine = [o for o in await payouts.owed_to_sellers(session, "HKD") if o.org_id in (first.org_id, second.org_id)]
        assert mine == []  # paid out: nothing owed any more
        content = await payouts.batch_csv(session, batch.id)
        payable = await ledger.account_for(session, accounts.SELLER_PAYABLE, currency="HKD", org_id=first.org_id)
        assert (await ledger.balance(session, payable)).posted == 0
    assert content is not None
    rows = {row["seller_org_id"]: row for row in _rows(content)}
    assert rows[str(first.org_id)]["amount"] == "1500.00"
    assert rows[str(first.org_id)]["seller_name"] == "'=HYPERLINK(1)"  # no formula in a spreadsheet
    assert rows[str(second.org_id)]["amount"] == "250.50"
    # nothing left to pay in that currency: a new batch is refused and changes nothing
    async with db() as session, session.begin():
        with pytest.raises(Conflict) as refused:
            await payouts.create_batch(
                session, key=uuid.uuid4().hex, currency="HKD", at=datetime.now(UTC), created_by=None
            )
    assert refused.value.code == "nothing_to_pay"


async def test_the_seller_sees_what_is_owed_and_admins_export_the_period(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, admin: Actor
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    await _owe(db, seller, 987_654)
    lot_id = await live_lot(db, seller, sale_mode="fixed_price", price_minor=3_000_000)
    async with db() as session, session.begin():
        order = await create_order_for_lot(
            session, lot_id, buyer_org_id=buyer.org_id or 0, amount_minor=3_000_000, source="purchase"
        )
    page = PageSession(client)
    try:
        await page.sign_in(seller)
        shown = await page.get("/seller/payouts")
        assert shown.status_code == 200
        assert "9,876.54" in shown.text
        sales_page = await page.get("/seller/sales")
        assert sales_page.status_code == 200
        assert sales_page.text.count("<svg") == 3
        assert "Sell-through" in sales_page.text
        assert (await page.get("/admin/finance")).status_code == 403
        assert (await page.get("/admin/finance/orders.csv")).status_code == 403

        await page.sign_in(admin)
        finance_page = await page.get("/admin/finance")
        assert finance_page.status_code == 200
        assert "9,876.54" in finance_page.text
        today = datetime.now(UTC).date().isoformat()
        exported = await page.get(f"/admin/finance/orders.csv?start={today}&end={today}")
        assert exported.status_code == 200
        assert exported.headers["content-type"].startswith("text/csv")
        row = next(r for r in _rows(exported.text) if r["order_id"] == str(order.id))
        assert row["gross"] == "30000.00"
        parts = [int(row[k].replace(".", "")) for k in ("platform_fee", "broker_commission", "refund", "seller_net")]
        assert sum(parts) == 3_000_000
        assert row["final"] == "no"
        bad = await page.get("/admin/finance/orders.csv?start=2026-13-01")
        assert bad.status_code == 422
        backwards = await page.get("/admin/finance/payouts.csv?start=2026-02-01&end=2026-01-01")
        assert backwards.status_code == 422
        assert (await page.get("/admin/finance/batches/999999/payouts.csv")).status_code == 404
        made = await page.post("/admin/finance/payouts", {"key": uuid.uuid4().hex, "currency": "CNY"})
        assert made.status_code == 303
        link = re.search(r'href="(/admin/finance/batches/\d+/payouts.csv)"', (await page.get("/admin/finance")).text)
        assert link is not None
        batch_rows = _rows((await page.get(link[1])).text)
        assert str(seller.org_id) in {r["seller_org_id"] for r in batch_rows}
        paid = await page.get(f"/admin/finance/payouts.csv?start={today}&end={today}")
        assert str(seller.org_id) in {r["seller_org_id"] for r in _rows(paid.text)}
    finally:
        page.close()
