"""The order pages: each role's list with filters, the order page's actions walked without JavaScript and
with HTMX, refusals shown on the page with the input kept, and 404 to a third organisation everywhere."""

from __future__ import annotations

import html
import re
import uuid

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import Actor, OrgFactory
from tests.support.orders import SHIPMENT, new_sale
from tests.support.pages import PageSession

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def test_buyer_and_seller_walk_an_order_from_payment_to_settlement_on_its_page(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    sale = await new_sale(client, db, make_org, price_minor=4_000_000)
    url = f"/orders/{sale.order_id}"
    page = PageSession(client)
    try:
        await page.sign_in(sale.seller)
        shown = await page.get(url)
        assert 'data-testid="ship-form"' not in shown.text  # not paid yet
        assert "Waiting for the buyer" in shown.text

        await page.sign_in(sale.buyer)
        shown = await page.get(url)
        assert 'data-testid="pay-form"' in shown.text
        assert "40,000.00 CNY" in shown.text
        assert 'data-testid="accept-form"' not in shown.text
        early = await page.post(f"{url}/deliver")  # not shipped: a 409 on the page, nothing changes
        assert early.status_code == 409
        assert "Not allowed in this state" in early.text
        assert "Allowed for you: pay" in early.text
        paid = await page.post(f"{url}/pay")
        assert paid.status_code == 303
        assert paid.headers["location"] == url
        assert (await sale.get())["status"] == "paid"
        assert "Payment confirmed and held in escrow" in (await page.get(url)).text

        await page.sign_in(sale.seller)
        typed = {"carrier": "SF Express", "tracking_number": "SF1234567890", "packages": "many", "weight": "412 kg"}
        refused = await page.post(f"{url}/ship", typed)
        assert refused.status_code == 422
        assert re.search(r'class="field has-error"><label for="packages"', refused.text)
        assert 'value="SF1234567890"' in refused.text
        assert 'value="many"' in refused.text
        refused = await page.post(f"{url}/ship", {**typed, "packages": "0"}, htmx=True)  # HTMX: the section
        assert refused.status_code == 200
        assert "<html" not in refused.text
        assert "order-error" in refused.text
        shipped = await page.post(f"{url}/ship", {**SHIPMENT, "packages": "12"}, htmx=True)
        assert shipped.status_code == 200
        assert 'id="order-main"' in shipped.text
        assert "Shipment recorded" in shipped.text
        assert "SF1234567890" in shipped.text
        again = await page.post(f"{url}/ship", {**SHIPMENT, "packages": "12"}, htmx=True)
        assert "Not allowed in this state" in again.text
        assert "The order is shipped" in again.text

        await page.sign_in(sale.buyer)
        assert (await page.post(f"{url}/deliver")).status_code == 303
        shown = await page.get(url)
        assert 'data-testid="accept-form"' in shown.text
        assert 'data-testid="inspection-link"' in shown.text
        assert "Inspection window closes" in shown.text
        assert "Accept the goods 40,000.00 CNY? 40,000.00 CNY leaves escrow for the seller" in html.unescape(shown.text)
        asked = await page.post(f"{url}/accept")  # without JavaScript: a confirm page, nothing released yet
        assert asked.status_code == 200
        assert 'data-testid="confirm-amount">40,000.00 CNY' in asked.text
        assert "You can no longer object to the goods" in asked.text
        assert (await sale.get())["status"] == "delivered"
        accepted = await page.post(f"{url}/accept", htmx=True)  # with it the dialog confirmed
        assert "the order is settled" in accepted.text
        assert (await sale.get())["status"] == "settled"

        await page.sign_in(sale.seller)
        shown = await page.get(url)
        assert 'data-testid="seller-net"' in shown.text
        assert "38,000.00 CNY" in shown.text
        statement = await page.get(f"{url}/statement")
        assert statement.status_code == 200
        assert "38000.00" in statement.text
    finally:
        page.close()


async def test_the_lists_filter_by_status_side_and_period_and_the_admin_sees_both_names(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, admin: Actor
) -> None:
    buyer_name = f"Wuxi Workwear {uuid.uuid4().hex[:6]}"
    first = await new_sale(client, db, make_org, buyer=await make_org("buyer", name=buyer_name))
    second = await new_sale(client, db, make_org, buyer=first.buyer)
    await second.pay()
    page = PageSession(client)
    try:
        await page.sign_in(first.buyer)
        both = (await page.get("/orders")).text
        assert f">#{first.order_id}<" in both
        assert f">#{second.order_id}<" in both
        paid = (await page.get("/orders?status=paid&role=buyer&period=30d")).text
        assert f">#{second.order_id}<" in paid
        assert f">#{first.order_id}<" not in paid
        assert (await page.get("/orders?role=seller")).text.count('href="/orders/') == 0
        odd = await page.get("/orders?status=nonsense&role=%00&period=-3")
        assert odd.status_code == 200
        assert f">#{first.order_id}<" in odd.text

        await page.sign_in(admin)
        listed = (await page.get("/orders?status=paid")).text
        row = re.search(rf">#{second.order_id}<.*?</tr>", listed, re.S)
        assert row is not None
        assert buyer_name in row.group(0)
        assert "Seller Co " in row.group(0)
        assert (await page.get(f"/orders/{first.order_id}")).status_code == 200
    finally:
        page.close()


async def test_a_third_organisation_gets_404_on_every_order_document_dispute_and_evidence_page(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    sale = await new_sale(client, db, make_org)
    await sale.pay()
    await sale.ship()
    assert (await sale.act("deliver", sale.buyer)).status_code == 200
    page = PageSession(client)
    try:
        await page.sign_in(sale.buyer)
        uploaded = await page.post(
            f"/orders/{sale.order_id}/evidence", files={"file": ("stains.pdf", PDF, "application/pdf")}
        )
        assert uploaded.status_code == 303, uploaded.text
        shown = (await page.get(f"/orders/{sale.order_id}")).text
        evidence_url = re.search(r'href="(/orders/\d+/evidence/\d+)"', shown)
        assert evidence_url is not None
        assert "stains.pdf" in shown
        assert (await page.get(evidence_url.group(1))).status_code == 200
        opened = await page.post(f"/orders/{sale.order_id}/dispute", {"reason": "Stained rolls"})
        assert opened.status_code == 303, opened.text
        dispute_url = opened.headers["location"]
        assert 'data-testid="dispute-link"' in (await page.get(f"/orders/{sale.order_id}")).text

        stranger = await make_org("buyer")
        await page.sign_in(stranger)
        base = f"/orders/{sale.order_id}"
        for url in [
            base,
            f"{base}/statement",
            f"{base}/statement.pdf",
            f"{base}/confirmation",
            f"{base}/confirmation.pdf",
            f"{base}/inspection",
            f"{base}/dispute",
            dispute_url,
            evidence_url.group(1),
        ]:
            assert (await page.get(url)).status_code == 404, url
        for action in ("pay", "deliver", "accept", "ship", "mark-delivered"):
            answer = await page.post(f"{base}/{action}", {"carrier": "x", "tracking_number": "y", "packages": "1"})
            assert answer.status_code == 404, action
        answer = await page.post(f"{base}/evidence", files={"file": ("x.pdf", PDF, "application/pdf")})
        assert answer.status_code == 404
        assert f">#{sale.order_id}<" not in (await page.get("/orders")).text
    finally:
        page.close()
