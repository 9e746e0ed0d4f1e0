"""Relisting a sealed-bid lot whose winner did not pay: once the seller stops offering it down the ranking, the lot
is copied into a new lot with a new sale (live or a draft) that takes bids on its own; the old lot keeps its round,
its cancelled order and its one sale, and is relisted only once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.closing import award_lot
from tests.conftest import Actor, OrgFactory
from tests.support.catalogue import body, post_lot, publish, unique_place
from tests.support.orders import fire_deadlines
from tests.support.pages import PageSession

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def _unpaid_award(
    client: AsyncTestClient[Litestar],
    db: async_sessionmaker[AsyncSession],
    seller: Actor,
    bidders: list[tuple[Actor, str]],
    **changes: Any,
) -> tuple[dict[str, Any], int]:
    """A sealed-bid lot with a photo, bid on and awarded; the winner does not pay and the order is cancelled.
    The lot as posted and the cancelled order's id."""
    now = datetime.now(UTC)
    sale = {"mode": "sealed_bid", "reserve_price": "30000.00", "closes_at": (now + timedelta(days=2)).isoformat()}
    draft = await post_lot(client, seller, body(sale=sale, **changes))
    photo = await client.post(
        f"/api/lots/{draft['id']}/documents",
        files={"file": ("front.png", PNG, "image/png")},
        data={"kind": "photo"},
        headers=seller.headers,
    )
    assert photo.status_code == 201, photo.text
    assert (await publish(client, seller, draft["id"]))["status"] == "live"
    for bidder, amount in bidders:
        placed = await client.post(f"/api/lots/{draft['id']}/bids", json={"amount": amount}, headers=bidder.headers)
        assert placed.status_code == 201, placed.text
    result = await award_lot(db, draft["id"], at=now)
    assert result is not None
    assert result.order_id is not None
    await fire_deadlines(db, now + timedelta(days=3, minutes=1))  # the winner did not pay
    return draft, result.order_id


async def test_a_lot_whose_winner_did_not_pay_is_relisted_as_a_new_lot_that_takes_bids_on_its_own(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, winner, second, newcomer, other_seller = [
        await make_org(kind) for kind in ("seller", "buyer", "buyer", "buyer", "seller")
    ]
    city = unique_place()
    old, order_id = await _unpaid_award(
        client,
        db,
        seller,
        [(winner, "35000.00"), (second, "32000.00")],
        location={"city": city, "region": "Jiangsu", "country": "CN"},
    )
    relist = f"/api/lots/{old['id']}/relist"

    offered = await client.post(f"/api/orders/{order_id}/runner-up-offer", headers=seller.headers)
    assert offered.status_code == 201, offered.text
    blocked = await client.post(relist, headers=seller.headers)
    assert blocked.status_code == 409
    assert blocked.json()["code"] == "runner_up_offer_open"
    declined = await client.post(f"/api/runner-up-offers/{offered.json()['id']}/decline", headers=second.headers)
    assert declined.status_code == 200, declined.text

    assert (await client.post(relist, headers=other_seller.headers)).status_code == 404
    assert (await client.post(relist, headers=winner.headers)).status_code == 404
    for wrong in (timedelta(minutes=-5), timedelta(days=30)):  # passed, or after the new listing window
        closing = (datetime.now(UTC) + wrong).isoformat()
        refused = await client.post(
            relist, json={"sale": {"mode": "sealed_bid", "closes_at": closing}}, headers=seller.headers
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["field"] == "sale.closes_at"

    closes_at = datetime.now(UTC) + timedelta(days=2)
    relisted = await client.post(
        relist,
        json={"sale": {"mode": "sealed_bid", "reserve_price": "30000.00", "closes_at": closes_at.isoformat()}},
        headers=seller.headers,
    )
    assert relisted.status_code == 200, relisted.text
    new = relisted.json()
    assert new["id"] != old["id"]
    assert new["relisted_from"] == old["id"]
    assert new["status"] == "live"
    assert datetime.fromisoformat(new["closes_at"]) == closes_at
    for key in ("title", "category", "specs", "quantity", "grade", "defects", "location", "visibility"):
        assert new[key] == old[key], key
    assert [d["filename"] for d in new["documents"]] == ["front.png"]
    photo = await client.get(new["documents"][0]["url"], headers=newcomer.headers)
    assert (photo.status_code, photo.content) == (200, PNG)
    found = await client.get(f"/api/lots?q={city}&spec.width.gte=140cm", headers=newcomer.headers)
    assert [lot["id"] for lot in found.json()["items"]] == [new["id"]]  # spec values indexed for the new lot

    again = await client.post(relist, headers=seller.headers)
    assert again.status_code == 409
    assert again.json()["code"] == "already_relisted"
    assert "lot " + str(new["id"]) in again.json()["detail"]
    no_more_offers = await client.post(f"/api/orders/{order_id}/runner-up-offer", headers=seller.headers)
    assert no_more_offers.status_code == 409  # the seller stopped offering the old lot

    # The new round: bidders of the old round bid again (their old bids do not count), and a newcomer too.
    for bidder, amount in ((second, "31000.00"), (winner, "30500.00"), (newcomer, "33000.00")):
        placed = await client.post(f"/api/lots/{new['id']}/bids", json={"amount": amount}, headers=bidder.headers)
        assert placed.status_code == 201, placed.text
    closed = await award_lot(db, new["id"], at=closes_at)
    assert closed is not None
    assert closed.outcome == "awarded"
    assert closed.winner_org_id == newcomer.org_id
    new_order = await client.get(f"/api/orders/{closed.order_id}", headers=newcomer.headers)
    assert new_order.json()["amount"] == "33000.00"
    assert new_order.json()["lot_id"] == new["id"]

    # The old lot sold once: its status and cancelled order stand, and it names the lot it was relisted as.
    old_now = (await client.get(f"/api/lots/{old['id']}", headers=seller.headers)).json()
    assert old_now["status"] == "awarded"
    assert old_now["relisted_as"] == new["id"]
    old_order = (await client.get(f"/api/orders/{order_id}", headers=seller.headers)).json()
    assert old_order["status"] == "cancelled"
    assert old_order["lot_id"] == old["id"]
    buyer_view = (await client.get(f"/api/lots/{new['id']}", headers=newcomer.headers)).json()
    assert "relisted_from" not in buyer_view  # the non-payment is the seller's business


async def test_the_seller_relists_as_a_fixed_price_draft_from_the_lot_page(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, winner, invited = [await make_org(kind) for kind in ("seller", "buyer", "buyer")]
    old, order_id = await _unpaid_award(
        client,
        db,
        seller,
        [(winner, "35000.00")],
        visibility="private",
        invited_org_ids=[winner.org_id, invited.org_id],
    )
    url = f"/lots/{old['id']}"
    page = PageSession(client)
    try:
        await page.sign_in(seller)
        assert 'data-testid="relist-form"' in (await page.get(url)).text
        order_page = (await page.get(f"/orders/{order_id}")).text
        assert f'href="/lots/{old["id"]}#relist"' in order_page
        await page.sign_in(winner)
        assert 'data-testid="relist-form"' not in (await page.get(url)).text
        await page.sign_in(seller)
        made = await page.post(f"{url}/relist", {"sale_mode": "fixed_price", "price": "29000.00", "draft": "1"})
        assert made.status_code == 303, made.text
        new_url = made.headers["location"]
        assert new_url != url
        new_page = (await page.get(new_url)).text
        assert 'data-testid="relisted-from"' in new_page
        assert "Edit draft" in new_page
        old_page = (await page.get(url)).text
        assert f'href="{new_url}"' in old_page
        assert 'data-testid="relist-form"' not in old_page
        assert 'data-testid="relist-link"' not in (await page.get(f"/orders/{order_id}")).text
        twice = await page.post(f"{url}/relist", {"sale_mode": "fixed_price", "price": "29000.00"})
        assert (twice.status_code, twice.headers["location"]) == (303, url)
        assert "already relisted" in (await page.get(url)).text
    finally:
        page.close()

    new_id = int(new_url.rsplit("/", 1)[1])
    draft = (await client.get(f"/api/lots/{new_id}", headers=seller.headers)).json()
    assert draft["status"] == "draft"
    assert draft["sale"]["mode"] == "fixed_price"
    assert draft["sale"]["price"] == "29000.00"
    assert draft["invited_org_ids"] == sorted([winner.org_id, invited.org_id])
    assert (await client.get(f"/api/lots/{new_id}", headers=invited.headers)).status_code == 404  # a draft
    # Removing the copied photo from the draft leaves the old lot's photo in place.
    removed = await client.delete(f"/api/lots/{new_id}/documents/{draft['documents'][0]['id']}", headers=seller.headers)
    assert removed.status_code == 204, removed.text
    old_photo = (await client.get(f"/api/lots/{old['id']}", headers=seller.headers)).json()["documents"][0]
    assert (await client.get(old_photo["url"], headers=seller.headers)).content == PNG
    published = await client.post(f"/api/lots/{new_id}/publish", headers=seller.headers)
    assert published.status_code == 200, published.text
    bought = await client.post(f"/api/lots/{new_id}/purchase", headers=invited.headers)
    assert bought.status_code == 201, bought.text
    assert (await client.get(f"/api/orders/{order_id}", headers=seller.headers)).json()["status"] == "cancelled"


async def test_a_runner_up_offer_and_a_relist_racing_on_one_lot_let_exactly_one_through(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, winner, second = [await make_org(kind) for kind in ("seller", "buyer", "buyer")]
    old, order_id = await _unpaid_award(client, db, seller, [(winner, "35000.00"), (second, "32000.00")])
    offered, relisted = await asyncio.gather(
        client.post(f"/api/orders/{order_id}/runner-up-offer", headers=seller.headers),
        client.post(f"/api/lots/{old['id']}/relist", headers=seller.headers),
    )
    assert sorted([offered.status_code, relisted.status_code]) in ([200, 409], [201, 409]), (
        offered.text,
        relisted.text,
    )
    if relisted.status_code == 409:
        assert relisted.json()["code"] == "runner_up_offer_open"
    else:
        assert offered.json()["code"] == "no_runner_up"
