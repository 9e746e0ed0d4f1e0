"""Order documents: the statement and the confirmation as JSON, HTML and PDF (the PDF's text holds the figures),
to the buyer, the seller and admins only."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pypdf
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange import audit
from exchange.audit.checkpoints import write_checkpoint
from exchange.audit.models import AuditRecord
from exchange.audit.signing import load_or_create_key
from exchange.fees import services
from exchange.orders.services import create_order_for_lot
from tests.conftest import Actor, OrgFactory
from tests.support.disputes import delivered_order
from tests.support.lots import live_lot
from tests.support.orders import new_sale
from tests.support.pages import PageSession


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


async def _order(db: async_sessionmaker[AsyncSession], seller: Actor, buyer: Actor, amount_minor: int) -> int:
    lot_id = await live_lot(db, seller, sale_mode="fixed_price", price_minor=amount_minor)
    async with db() as session, session.begin():
        order = await create_order_for_lot(
            session, lot_id, buyer_org_id=buyer.org_id or 0, amount_minor=amount_minor, source="purchase"
        )
        return order.id


async def test_the_statement_shows_the_figures_in_json_html_and_pdf(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, admin: Actor
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    order_id = await _order(db, seller, buyer, 4_000_000)
    async with db() as session:
        kept = await services.schedule_in_force(session, "textiles/fabric", datetime.now(UTC))
    expected = services.rules.split(4_000_000, kept.schedule)

    as_seller = await client.get(f"/api/orders/{order_id}/statement", headers=seller.headers)
    assert as_seller.status_code == 200, as_seller.text
    body = as_seller.json()
    assert body["gross"] == "40000.00"
    assert body["refund"] == "0.00"
    assert body["final"] is False
    net = f"{expected.seller_net // 100}.{expected.seller_net % 100:02d}"
    assert body["seller_net"] == net
    assert sum(int(line["amount"].replace(".", "")) for line in body["fee_lines"]) == expected.platform_fee

    pdf = await client.get(f"/api/orders/{order_id}/statement?format=pdf", headers=seller.headers)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    assert "Settlement statement" in text
    assert "40000.00" in text
    assert net in text
    by_accept = await client.get(
        f"/api/orders/{order_id}/statement", headers={**admin.headers, "Accept": "application/pdf"}
    )
    assert by_accept.status_code == 200
    assert by_accept.content.startswith(b"%PDF")

    # the buyer sees what was paid, not the seller's fees and net
    as_buyer = await client.get(f"/api/orders/{order_id}/statement", headers=buyer.headers)
    assert as_buyer.status_code == 200
    assert as_buyer.json()["seller_net"] is None
    assert as_buyer.json()["fee_lines"] is None
    buyer_pdf = _pdf_text(
        (await client.get(f"/api/orders/{order_id}/statement?format=pdf", headers=buyer.headers)).content
    )
    assert "40000.00" in buyer_pdf
    assert net not in buyer_pdf


async def test_documents_are_404_to_a_third_org(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer, other = await make_org("seller"), await make_org("buyer"), await make_org("buyer")
    order_id = await _order(db, seller, buyer, 1_234_500)
    for path in ("statement", "confirmation"):
        for fmt in ("", "?format=pdf", "?format=html"):
            response = await client.get(f"/api/orders/{order_id}/{path}{fmt}", headers=other.headers)
            assert response.status_code == 404, (path, fmt)
    assert (await client.get(f"/api/orders/{order_id}/statement")).status_code == 401
    page = PageSession(client)
    await page.sign_in(other)
    try:
        for path in ("statement", "statement.pdf", "confirmation", "confirmation.pdf"):
            assert (await page.get(f"/orders/{order_id}/{path}")).status_code == 404
    finally:
        page.close()


async def test_the_confirmation_and_the_printable_pages(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    order_id = await _order(db, seller, buyer, 1_234_500)
    confirmation = await client.get(f"/api/orders/{order_id}/confirmation", headers=buyer.headers)
    assert confirmation.status_code == 200
    assert confirmation.json()["amount"] == "12345.00"
    pdf = await client.get(
        f"/api/orders/{order_id}/confirmation", headers={**buyer.headers, "Accept": "application/pdf"}
    )
    assert "12345.00" in _pdf_text(pdf.content)
    assert "Order confirmation" in _pdf_text(pdf.content)

    page = PageSession(client)
    await page.sign_in(seller)
    try:
        statement = await page.get(f"/orders/{order_id}/statement")
        assert statement.status_code == 200
        assert "text/html" in statement.headers["content-type"]
        assert "12345.00" in statement.text
        assert 'data-testid="seller-net"' in statement.text
        assert (await page.get(f"/orders/{order_id}/statement.pdf")).content.startswith(b"%PDF")
        detail = await page.get(f"/orders/{order_id}")
        assert f"/orders/{order_id}/statement.pdf" in detail.text
    finally:
        page.close()


async def test_the_statement_prints_the_latest_audit_checkpoint(
    client: AsyncTestClient[Litestar],
    db: async_sessionmaker[AsyncSession],
    make_org: OrgFactory,
    admin: Actor,
    tmp_path: Path,
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    order_id = await _order(db, seller, buyer, 2_000_000)
    # a new fee schedule version is an audit record; sign the log's head now
    made = await client.post(
        "/api/admin/fee-schedules",
        json={"category": "food", "tiers": [{"percent": "4"}], "effective_from": "2300-01-01T00:00:00Z"},
        headers=admin.headers,
    )
    assert made.status_code == 201, made.text
    async with db() as session, session.begin():
        checkpoint = await write_checkpoint(session, load_or_create_key(tmp_path / "key"), at=datetime.now(UTC))
        if checkpoint is None:  # another test signed this head already
            checkpoint = await audit.latest_checkpoint(session)
    assert checkpoint is not None
    body = (await client.get(f"/api/orders/{order_id}/statement", headers=seller.headers)).json()
    assert body["checkpoint"]["size"] >= checkpoint.size
    pdf = await client.get(f"/api/orders/{order_id}/statement?format=pdf", headers=seller.headers)
    text = _pdf_text(pdf.content).replace("\n", "")
    assert body["checkpoint"]["head_hash"] in text


async def test_a_new_fee_schedule_version_is_audited(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], admin: Actor
) -> None:
    made = await client.post(
        "/api/admin/fee-schedules",
        json={"category": "chemicals", "tiers": [{"percent": "3.5"}], "effective_from": "2301-01-01T00:00:00Z"},
        headers=admin.headers,
    )
    assert made.status_code == 201, made.text
    async with db() as session:
        row = await session.scalar(
            select(AuditRecord).where(
                AuditRecord.object_type == "fee_schedule", AuditRecord.object_id == made.json()["id"]
            )
        )
    assert row is not None
    assert row.action == "create_version"
    assert row.actor == f"admin:{admin.user_id}"
    assert '"3.5"' in (row.after or "")


async def test_a_settled_orders_statement_shows_what_the_ledger_moved_and_the_seller_is_owed_it(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    sale = await new_sale(client, db, make_org, price_minor=2_500_000)
    await sale.pay()
    await sale.ship()
    await sale.act("deliver", sale.buyer)
    assert (await sale.act("accept", sale.buyer)).json()["status"] == "settled"
    statement = (await client.get(f"/api/orders/{sale.order_id}/statement", headers=sale.seller.headers)).json()
    assert statement["final"] is True
    assert statement["gross"] == "25000.00"
    assert statement["platform_fee"] == "1250.00"  # the 5 % default, as posted to platform revenue
    assert statement["seller_net"] == "23750.00"
    pdf = await client.get(f"/api/orders/{sale.order_id}/statement?format=pdf", headers=sale.seller.headers)
    text = _pdf_text(pdf.content)
    assert "23750.00" in text
    assert "Provisional" not in text
    page = PageSession(client)
    await page.sign_in(sale.seller)
    try:
        payouts_page = await page.get("/seller/payouts")
        assert "23,750.00" in payouts_page.text
        assert f"/orders/{sale.order_id}/statement.pdf" in payouts_page.text
    finally:
        page.close()


async def test_a_resolved_disputes_statement_shows_the_refund_and_the_fees_on_the_rest(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await delivered_order(client, db, make_org, amount_minor=1_000_000)
    opened = await deal.dispute(reason="A fifth of the rolls are stained.", claimed_refund="2000.00")
    assert opened.status_code == 201, opened.text
    answered = await client.post(
        f"/api/disputes/{opened.json()['id']}/answer",
        json={"answer": "accept", "message": "Agreed."},
        headers=deal.seller.headers,
    )
    assert answered.json()["status"] == "resolved", answered.text
    for who in (deal.seller, deal.buyer):
        statement = (await client.get(f"/api/orders/{deal.order_id}/statement", headers=who.headers)).json()
        assert (statement["final"], statement["gross"], statement["refund"]) == (True, "10000.00", "2000.00")
    seller_view = (await client.get(f"/api/orders/{deal.order_id}/statement", headers=deal.seller.headers)).json()
    assert (seller_view["platform_fee"], seller_view["seller_net"]) == ("400.00", "7600.00")  # 5 % of 8000.00
    text = _pdf_text(
        (await client.get(f"/api/orders/{deal.order_id}/statement?format=pdf", headers=deal.buyer.headers)).content
    )
    assert "2000.00" in text
    assert "8000.00" in text  # what the buyer paid for the goods in the end
    assert "7600.00" not in text
