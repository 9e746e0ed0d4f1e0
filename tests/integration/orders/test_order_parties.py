"""The order page names both parties with the contacts they gave for verification, puts the deal into
sentences, links the record it came from instead of showing ids, and stays 404 to anyone else."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.demo.kyb import example_details
from tests.conftest import OrgFactory
from tests.support.orders import new_sale
from tests.support.pages import PageSession
from tests.support.rfq import new_deal


async def test_the_sellers_order_page_names_the_buyer_with_contact_and_a_third_org_gets_404(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    buyer = await make_org("buyer", name="Wuxi Uniform Works 7b")
    sale = await new_sale(client, db, make_org, buyer=buyer)
    details = example_details("Wuxi Uniform Works 7b")
    page = PageSession(client)
    try:
        await page.sign_in(sale.seller)
        shown = await page.get(f"/orders/{sale.order_id}")
        assert shown.status_code == 200
        start = shown.text.index('data-testid="buyer-contact"')
        card = shown.text[start : shown.text.index("</dl>", start)]
        assert "Wuxi Uniform Works 7b" in card
        assert details["contact"] in card  # the contact person and phone from the verification details
        assert f'href="mailto:{buyer.email}"' in card
        assert details["address"] in card
        # The deal in sentences, not a dump of keys.
        assert "40,000.00 CNY for the whole lot" in shown.text
        assert "hours after delivery to inspect a sample" in shown.text
        assert "Paid into the exchange&#39;s escrow within 3 days" in shown.text
        for internal in ("rfq_thread_id", "offer_id", "offer version", "Offer version"):
            assert internal not in shown.text

        await page.sign_in(await make_org("buyer"))
        assert (await page.get(f"/orders/{sale.order_id}")).status_code == 404
    finally:
        page.close()


async def test_an_order_from_a_quote_links_its_negotiation_instead_of_naming_ids(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await new_deal(client, db, make_org)
    thread_id = (await deal.open_rfq(payment_terms="prepay", delivery_by="2027-03-01"))["id"]
    quote = await deal.offer(deal.seller, thread_id, "38000.00", delivery_by="2027-03-01", payment_terms="prepay")
    accepted = await client.post(
        f"/api/rfqs/{thread_id}/accept", json={"offer_id": quote["id"]}, headers=deal.buyer.headers
    )
    assert accepted.status_code == 201, accepted.text
    page = PageSession(client)
    try:
        await page.sign_in(deal.buyer)
        shown = await page.get(f"/orders/{accepted.json()['id']}")
        assert f'href="/rfqs/{thread_id}"' in shown.text
        assert "The negotiation that agreed it" in shown.text
        assert "Delivered by 1 Mar 2027" in shown.text
    finally:
        page.close()
