"""Credit terms: goods ship before payment within the limit, the invoice falls due at the term, and an overdue
invoice blocks the buyer's bids, purchases, RFQ accepts and proposal accepts until it is paid."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

from exchange.clock import ManualClock
from tests.support.lots import live_lot
from tests.support.order_sources import Sources
from tests.support.orders import SHIPMENT, assert_ledger_balances, balances, new_sale
from tests.support.pages import page_headers
from tests.support.rfq import Deal
from tests.support.stack import private_stack


async def test_credit_limit_invoice_term_and_overdue_blocking() -> None:
    clock = ManualClock(datetime.now(UTC))
    async with private_stack(scheduler=False, clock=clock) as stack:
        client, admin = stack.client, stack.make_org.admin
        buyer = await stack.make_org("buyer")
        seller = await stack.make_org("seller")
        path = f"/api/admin/orgs/{buyer.org_id}/credit"
        assert (
            await client.post(path, json={"limit": "50000", "net_days": 30}, headers=buyer.headers)
        ).status_code == 403
        bad = await client.post(path, json={"limit": "50000", "net_days": 60}, headers=admin.headers)
        assert bad.status_code == 422
        assert bad.json()["field"] == "net_days"
        to_seller = f"/api/admin/orgs/{seller.org_id}/credit"
        assert (
            await client.post(to_seller, json={"limit": "1", "net_days": 30}, headers=admin.headers)
        ).status_code == 422
        granted = await client.post(path, json={"limit": "50000.00", "net_days": 30}, headers=admin.headers)
        assert granted.status_code == 200, granted.text
        assert granted.json() == {
            "org_id": buyer.org_id,
            "limit": "50000.00",
            "currency": "CNY",
            "net_days": 30,
            "exposure": "0.00",
            "available": "50000.00",
            "overdue": False,
        }

        first = await new_sale(client, stack.db, stack.make_org, buyer=buyer, published_at=clock.now())
        assert "ship" in (await first.get(first.seller))["allowed_actions"]
        shipped = await first.ship()
        assert shipped["status"] == "shipped"
        assert shipped["on_credit"] is True
        due = datetime.fromisoformat(shipped["invoice_due_at"])
        assert due == clock.now() + timedelta(days=30)
        assert (await balances(stack.db, order_id=first.order_id))["escrow"] == 4_000_000
        assert (await balances(stack.db, org_id=buyer.org_id or 0))["credit_receivable"] == -4_000_000
        assert (await first.get())["allowed_actions"] == ["pay", "deliver"]

        second = await new_sale(
            client, stack.db, stack.make_org, buyer=buyer, price_minor=2_000_000, published_at=clock.now()
        )
        over = await second.act("ship", second.seller, SHIPMENT)
        assert over.status_code == 409, over.text
        assert over.json()["code"] == "credit_limit"
        shown = await client.get(path, headers=admin.headers)
        assert (shown.json()["exposure"], shown.json()["available"]) == ("40000.00", "10000.00")

        # an RFQ negotiated now, to be accepted once the invoice is overdue
        rfq_lot = await live_lot(
            stack.db, seller, sale_mode="fixed_price", price_minor=3_000_000, published_at=clock.now()
        )
        deal = Deal(client, seller, buyer, rfq_lot)
        thread = await deal.open_rfq()
        quote = await deal.offer(
            seller, thread["id"], "29000.00", valid_until=(clock.now() + timedelta(days=60)).isoformat()
        )
        sealed_lot = await live_lot(stack.db, seller)

        clock.advance(timedelta(days=31).total_seconds())
        blocked_lot = await live_lot(
            stack.db, seller, sale_mode="fixed_price", price_minor=1_000, published_at=clock.now()
        )
        refusals = [
            await client.post(f"/api/lots/{blocked_lot}/purchase", headers=buyer.headers),
            await client.post(f"/api/lots/{sealed_lot}/bids", json={"amount": "500"}, headers=buyer.headers),
            await client.post(
                f"/api/rfqs/{thread['id']}/accept", json={"offer_id": quote["id"]}, headers=buyer.headers
            ),
        ]
        proposal_sources = Sources(client, stack.db, seller, await stack.make_org("broker"))
        refusals.append((await proposal_sources.proposal(buyer, clock.now(), 1_000_000))[0])  # a broker's proposal
        for refusal in refusals:
            assert refusal.status_code == 403, refusal.text
            assert refusal.json()["code"] == "invoice_overdue"
            assert f"order {first.order_id}" in refusal.json()["detail"]
        # the lot page says it in the reader's language, with no API route
        page = await page_headers(client, buyer)
        for language, words in (
            ("en", f"invoice for order #{first.order_id} is overdue. Pay it on the order"),
            ("zh-CN", f"贵机构订单 #{first.order_id} 的发票已逾期。请先在该订单页面付款"),
        ):
            shown = await client.post(
                f"/lots/{blocked_lot}/sale/purchase",
                headers={**page, "hx-request": "true", "Accept-Language": language},
            )
            assert shown.status_code == 200, shown.text
            assert words in html.unescape(shown.text), language
            assert "/api/" not in shown.text
        assert (await client.get(path, headers=admin.headers)).json()["overdue"] is True

        invoice = await first.start_payment()
        assert (invoice["purpose"], invoice["amount"]) == ("invoice", "40000.00")
        paid = await first.callback(invoice["instructions"])
        assert paid.status_code == 200, paid.text
        assert (await first.get())["invoice_paid_at"] is not None
        assert (await balances(stack.db, org_id=buyer.org_id or 0))["credit_receivable"] == 0
        assert (await client.get(path, headers=admin.headers)).json()["exposure"] == "0.00"
        bought = await client.post(f"/api/lots/{blocked_lot}/purchase", headers=buyer.headers)
        assert bought.status_code == 201, bought.text
        assert (await second.act("ship", second.seller, SHIPMENT)).status_code == 200
        await assert_ledger_balances(stack.db)


async def test_an_invoice_stays_payable_through_a_dispute_and_after_its_refund() -> None:
    """Goods shipped on credit, then disputed and partly refunded: the buyer still owes the invoice (the refund is
    paid back separately), may pay it while the dispute runs or after, and is unblocked once it is paid."""
    clock = ManualClock(datetime.now(UTC))
    async with private_stack(scheduler=False, clock=clock) as stack:
        client, admin = stack.client, stack.make_org.admin
        buyer = await stack.make_org("buyer")
        granted = await client.post(
            f"/api/admin/orgs/{buyer.org_id}/credit", json={"limit": "50000.00", "net_days": 30}, headers=admin.headers
        )
        assert granted.status_code == 200, granted.text
        sale = await new_sale(client, stack.db, stack.make_org, buyer=buyer, published_at=clock.now())
        assert (await sale.ship())["on_credit"] is True
        assert (await sale.act("deliver", buyer)).status_code == 200
        opened = await sale.act("disputes", buyer, {"reason": "Stained rolls.", "claimed_refund": "4000.00"})
        assert opened.status_code == 201, opened.text
        assert "pay" in (await sale.get())["allowed_actions"]
        accepted = await client.post(
            f"/api/disputes/{opened.json()['id']}/answer", json={"answer": "accept"}, headers=sale.seller.headers
        )
        assert accepted.status_code == 200, accepted.text
        assert (await sale.get())["status"] == "resolved"

        clock.advance(timedelta(days=31).total_seconds())
        started = await sale.act("pay", buyer)  # paying the overdue invoice is what unblocks the buyer
        assert started.status_code == 200, started.text
        other_lot = await live_lot(
            stack.db, sale.seller, sale_mode="fixed_price", price_minor=1_000, published_at=clock.now()
        )
        refused = await client.post(f"/api/lots/{other_lot}/purchase", headers=buyer.headers)
        assert (refused.status_code, refused.json()["code"]) == (403, "invoice_overdue")
        invoice = started.json()
        assert (invoice["purpose"], invoice["amount"]) == ("invoice", "40000.00")
        assert (await sale.callback(invoice["instructions"])).status_code == 200
        assert (await balances(stack.db, org_id=buyer.org_id or 0))["credit_receivable"] == 0
        assert (await balances(stack.db, org_id=buyer.org_id or 0))["refunds_payable"] == 400_000
        bought = await client.post(f"/api/lots/{other_lot}/purchase", headers=buyer.headers)
        assert bought.status_code == 201, bought.text
        await assert_ledger_balances(stack.db)
