"""The inspection form, the dispute page and the arbitration queue, driven as a browser without JavaScript would."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import Actor, OrgFactory
from tests.support.disputes import DeliveredOrder, delivered_order, money_after
from tests.support.pages import PageSession


async def test_an_objection_walks_from_the_inspection_form_to_the_admins_partial_refund(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, admin: Actor
) -> None:
    deal = await delivered_order(client, db, make_org, amount_minor=1_000_000, reference_price_minor=1250)
    page = PageSession(client)
    try:
        await page.sign_in(deal.buyer)
        order_page = await page.get(f"/orders/{deal.order_id}")
        assert 'data-testid="inspection-link"' in order_page.text
        recorded = await page.post(
            f"/orders/{deal.order_id}/inspection",
            {
                "units_inspected": "200",
                "units_defective": "20",
                "sampling": "iso2859",
                "observed_grade": "B",
                "defects_by_kind": "stains: 14\nholes: 6",
            },
        )
        assert recorded.status_code == 200, recorded.text
        assert "Suggested refund: 3,571.43 CNY" in recorded.text
        assert "Grade B observed against A listed" in recorded.text
        refused = await page.post(f"/orders/{deal.order_id}/inspection", {"units_inspected": "x"})
        assert refused.status_code == 422
        assert "whole number" in refused.text

        opened = await page.post(f"/orders/{deal.order_id}/dispute", {"reason": "Stained rolls", "claimed_refund": ""})
        assert opened.status_code == 303, opened.text
        dispute_url = opened.headers["location"]

        await page.sign_in(deal.seller)
        seen = await page.get(dispute_url)
        assert 'data-testid="answer-form"' in seen.text
        assert 'data-testid="decide-form"' not in seen.text
        rejected = await page.post(f"{dispute_url}/answer", {"answer": "reject", "message": "Clean at dispatch"})
        assert rejected.status_code == 303, rejected.text

        await page.sign_in(admin)
        queue = await page.get("/admin/disputes")
        assert dispute_url in queue.text
        no_reason = await page.post(f"{dispute_url}/decide", {"outcome": "partial_refund", "amount": "3000.00"})
        assert no_reason.status_code == 422
        decided = await page.post(
            f"{dispute_url}/decide", {"outcome": "partial_refund", "amount": "3000.00", "reason": "Photos agree."}
        )
        assert decided.status_code == 303, decided.text
        final = await page.get(dispute_url)
        assert "partial refund: refund 3,000.00 CNY" in final.text

        stranger = await make_org("buyer")
        await page.sign_in(stranger)
        assert (await page.get(dispute_url)).status_code == 404
        assert (await page.get(f"/orders/{deal.order_id}/inspection")).status_code == 404
    finally:
        page.close()
    assert (await money_after(db, deal))["refund"] == 300_000


async def _seller_offers_a_partial_refund(page: PageSession, deal: DeliveredOrder, amount: str, message: str) -> str:
    """The buyer objects to the goods on the order's page and the seller offers `amount` back: the dispute's URL."""
    await page.sign_in(deal.buyer)
    opened = await page.post(f"/orders/{deal.order_id}/dispute", {"reason": "Stained rolls", "claimed_refund": ""})
    dispute_url = str(opened.headers["location"])
    await page.sign_in(deal.seller)
    offered = await page.post(f"{dispute_url}/answer", {"answer": "offer", "amount": amount, "message": message})
    assert offered.status_code == 303, offered.text
    return dispute_url


async def test_accepting_the_sellers_offer_asks_first_with_the_refund_and_what_follows(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await delivered_order(client, db, make_org, amount_minor=1_000_000, reference_price_minor=1250)
    page = PageSession(client)
    try:
        dispute_url = await _seller_offers_a_partial_refund(page, deal, "1500.00", "Half the stained rolls")
        await page.sign_in(deal.buyer)
        asked = await page.post(f"{dispute_url}/accept-offer", {})  # no JavaScript: a confirm page, nothing done
        assert asked.status_code == 200, asked.text
        assert "Accept a refund of 1,500.00 CNY?" in asked.text
        assert "the rest of the order&#39;s payment goes to the seller" in asked.text
        assert 'name="confirmed" value="yes"' in asked.text
        assert "Accept the offer of 1,500.00 CNY" in (await page.get(dispute_url)).text  # still open
        taken = await page.post(f"{dispute_url}/accept-offer", {"confirmed": "yes"})
        assert taken.status_code == 303, taken.text
    finally:
        page.close()
    assert (await money_after(db, deal))["refund"] == 150_000


async def test_the_exchanges_own_lines_in_a_dispute_thread_read_in_the_readers_language(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await delivered_order(client, db, make_org, amount_minor=1_000_000, reference_price_minor=1250)
    page = PageSession(client)
    zh = {"Accept-Language": "zh-CN,zh;q=0.9"}
    try:
        dispute_url = await _seller_offers_a_partial_refund(page, deal, "1500.00", "半数")
        await page.sign_in(deal.buyer)
        chinese = (await page.get(dispute_url, headers=zh)).text
        assert "方案：退款 ¥1,500.00。半数" in chinese  # noqa: RUF001
        assert "Offer: a refund of" not in chinese
        english = (await page.get(dispute_url, headers={"Accept-Language": "en"})).text
        assert "Offer: a refund of 1,500.00 CNY. 半数" in english
        api = await client.get(f"/api/disputes/{dispute_url.rsplit('/', 1)[1]}", headers=deal.buyer.headers)
        assert [m["body"] for m in api.json()["messages"]][-1] == "Offer: a refund of 1500.00. 半数"  # as before
    finally:
        page.close()
