"""Each role's dashboard lists what needs the organisation now, each item linking to its page, and drops it
once done; another organisation's things never show."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.alerts.services.slow_sale import advise_lot
from exchange.demo.kyb import example_details
from tests.conftest import DEMO_PASSWORD, Actor, OrgFactory, token_for, unique_email
from tests.support.desk import new_desk
from tests.support.lots import live_lot, lot_body
from tests.support.orders import new_sale
from tests.support.pages import PageSession
from tests.support.stack import private_stack


async def _dashboard(client: AsyncTestClient[Litestar], actor: Actor) -> str:
    page = PageSession(client)
    try:
        await page.sign_in(actor)
        shown = await page.get("/dashboard")
        assert shown.status_code == 200, shown.text
        return str(shown.text)
    finally:
        page.close()


def _task(html: str, kind: str) -> str | None:
    """The card of one task (its count, items and link), or None when the task is not shown."""
    found = re.search(rf'data-testid="task-{kind}">(.*?)</div></div>', html, re.S)
    return found.group(1) if found else None


def _listed(html: str, kind: str, *shown: str) -> None:
    """The task is on the dashboard and shows each of `shown` (an item's link, title or amount)."""
    card = _task(html, kind)
    assert card is not None, f"no task {kind}"
    for needle in shown:
        assert needle in card, f"{needle!r} not in task {kind}"


def _figure(html: str, kind: str) -> str:
    """The words a figure tile shows (its markup left out)."""
    found = re.search(rf'data-testid="figure-{kind}">(.*?)</div>', html, re.S)
    assert found, f"no figure {kind}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()).replace("&nbsp;", " ")


async def test_a_sellers_draft_and_paid_order_wait_on_the_dashboard_until_published_and_shipped(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    sale = await new_sale(client, db, make_org)
    title = f"Draft twill {uuid.uuid4().hex[:6]}"
    body = {**lot_body(sale_mode="fixed_price", price_minor=900_000), "title": title}
    draft = await client.post("/api/lots", json=body, headers=sale.seller.headers)
    assert draft.status_code == 201, draft.text
    draft_id = draft.json()["id"]

    shown = await _dashboard(client, sale.seller)
    _listed(shown, "drafts", title, f'href="/lots/{draft_id}"')
    assert _task(shown, "to_ship") is None  # not paid yet
    other = await _dashboard(client, await make_org("seller"))
    assert title not in other

    await sale.pay()
    shown = await _dashboard(client, sale.seller)
    _listed(shown, "to_ship", f'href="/orders/{sale.order_id}"')
    assert "40,000.00 CNY" in _figure(shown, "in_escrow")
    assert "40,000.00 CNY" in _figure(shown, "sold_this_month")

    assert (await client.post(f"/api/lots/{draft_id}/publish", headers=sale.seller.headers)).status_code == 200
    await sale.ship()
    shown = await _dashboard(client, sale.seller)
    assert _task(shown, "drafts") is None
    assert _task(shown, "to_ship") is None
    assert 'data-testid="nothing-waiting"' in shown

    async with db() as session, session.begin():  # nobody asked for the lot by its slow-sale check's due time
        assert await advise_lot(session, draft_id, datetime.now(UTC) + timedelta(days=30)) == sale.seller.org_id
    _listed(await _dashboard(client, sale.seller), "slow_sale_advice", title, f'href="/lots/{draft_id}/pricing"')


async def test_a_buyers_order_moves_from_pay_to_receive_to_inspect_and_a_bid_closing_soon_is_listed(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    sale = await new_sale(client, db, make_org)
    link = f'href="/orders/{sale.order_id}"'
    shown = await _dashboard(client, sale.buyer)
    assert link in (_task(shown, "to_pay") or "")
    assert link not in await _dashboard(client, await make_org("buyer"))

    await sale.pay()
    shown = await _dashboard(client, sale.buyer)
    assert _task(shown, "to_pay") is None
    assert "40,000.00 CNY" in _figure(shown, "in_escrow")
    await sale.ship()
    assert link in (_task(await _dashboard(client, sale.buyer), "to_receive") or "")
    assert (await sale.act("deliver", sale.buyer)).status_code == 200
    shown = await _dashboard(client, sale.buyer)
    assert _task(shown, "to_receive") is None
    assert link in (_task(shown, "to_inspect") or "")
    assert (await sale.act("accept", sale.buyer)).status_code == 200
    assert _task(await _dashboard(client, sale.buyer), "to_inspect") is None

    lot_id = await live_lot(db, sale.seller, closes_at=datetime.now(UTC) + timedelta(hours=2))
    later = await live_lot(db, sale.seller, closes_at=datetime.now(UTC) + timedelta(days=2))
    bid = await client.post(f"/api/lots/{lot_id}/bids", json={"amount": "500.00"}, headers=sale.buyer.headers)
    assert bid.status_code == 201, bid.text
    bid = await client.post(f"/api/lots/{later}/bids", json={"amount": "600.00"}, headers=sale.buyer.headers)
    assert bid.status_code == 201, bid.text
    shown = await _dashboard(client, sale.buyer)
    _listed(shown, "bids_closing_soon", f'href="/lots/{lot_id}/sale"', "500.00 CNY")
    assert f'href="/lots/{later}/sale"' not in (_task(shown, "bids_closing_soon") or "")  # not within 24 hours
    assert "2" in _figure(shown, "open_bids")


async def test_a_brokers_request_waits_for_a_proposal_and_the_proposal_for_the_client(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    desk = await new_desk(client, db, make_org)
    request = await desk.request()
    shown = await _dashboard(client, desk.broker)
    assert f'href="/desk/requests/{request["id"]}"' in (_task(shown, "requests_without_proposals") or "")
    assert f'href="/desk/requests/{request["id"]}"' not in await _dashboard(client, await make_org("broker"))

    lot_id = await desk.lot()
    proposal = await desk.proposal(request["id"], [(lot_id, "44000.00")])
    shown = await _dashboard(client, desk.broker)
    assert f'href="/desk/requests/{request["id"]}"' not in shown
    _listed(shown, "proposals_awaiting_client", f'href="/proposals/{proposal["id"]}"')
    _listed(await _dashboard(client, desk.buyer), "proposals_to_answer", f'href="/proposals/{proposal["id"]}"')

    declined = await client.post(f"/api/proposals/{proposal['id']}/decline", json={}, headers=desk.buyer.headers)
    assert declined.status_code == 200, declined.text
    assert _task(await _dashboard(client, desk.broker), "proposals_awaiting_client") is None
    assert _task(await _dashboard(client, desk.buyer), "proposals_to_answer") is None


async def test_an_admin_sees_organisations_waiting_for_verification_until_verified() -> None:
    async with private_stack(scheduler=False) as stack:  # the queues are the whole platform's: a database of its own
        admin = stack.make_org.admin
        email, name = unique_email("buyer"), f"Tianjin Procurement {uuid.uuid4().hex[:4]}"
        body = {
            "email": email,
            "password": DEMO_PASSWORD,
            "name": "Wang Fang",
            "org": {"name": name, "kind": "buyer", **example_details(name)},
        }
        registered = await stack.client.post("/api/auth/register", json=body)
        assert registered.status_code == 201, registered.text
        org_id = registered.json()["org"]["id"]
        shown = await _dashboard(stack.client, admin)
        _listed(shown, "orgs_to_verify", name, f'href="/admin/orgs/{org_id}"')
        applicant = Actor(
            registered.json()["user"]["id"],
            org_id,
            email,
            await token_for(stack.client, email, "correct-horse-battery"),
            "buyer",
        )
        assert "orgs_to_verify" not in await _dashboard(stack.client, applicant)

        verified = await stack.client.post(f"/api/admin/orgs/{org_id}/verify", headers=admin.headers)
        assert verified.status_code == 200, verified.text
        assert _task(await _dashboard(stack.client, admin), "orgs_to_verify") is None


async def test_an_unpaid_order_of_a_buyer_on_credit_terms_waits_for_the_seller_to_ship(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    sale = await new_sale(client, db, make_org)
    link = f'href="/orders/{sale.order_id}"'
    assert _task(await _dashboard(client, sale.seller), "to_ship_on_credit") is None  # no credit terms: wait for pay
    granted = await client.post(
        f"/api/admin/orgs/{sale.buyer.org_id}/credit",
        json={"limit": "50000.00", "net_days": 30},
        headers=make_org.admin.headers,
    )
    assert granted.status_code == 200, granted.text

    shown = await _dashboard(client, sale.seller)
    _listed(shown, "to_ship_on_credit", link, "40,000.00")
    assert _task(shown, "to_ship") is None  # not paid
    assert "Orders on credit terms you may ship before payment" in shown
    assert link not in await _dashboard(client, await make_org("seller"))

    assert (await sale.ship())["on_credit"] is True
    assert _task(await _dashboard(client, sale.seller), "to_ship_on_credit") is None
