"""The alerts' pages: saved searches (list, save from /lots, delete, the suggestions setting), the buyer's
suggestions panel and the seller's pricing panel with its price cut, all as plain forms and links."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import OrgFactory
from tests.support.catalogue import body, post_lot, publish, unique_place
from tests.support.pages import PageSession


async def test_a_buyer_saves_the_current_search_from_the_catalogue_and_deletes_it(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    buyer = await make_org("buyer")
    page = PageSession(client)
    try:
        await page.sign_in(buyer)
        browse = await page.get("/lots?category=textiles/fabric&spec.width.gte=140cm")
        assert "Save this search" in browse.text
        assert 'name="query" value="category=textiles%2Ffabric&amp;spec.width.gte=140cm"' in browse.text
        saved = await page.post(
            "/saved-searches",
            {"name": "Wide fabric", "query": "category=textiles%2Ffabric&spec.width.gte=140cm", "frequency": "daily"},
        )
        assert saved.status_code == 303
        listing = await page.get("/saved-searches")
        assert "Wide fabric" in listing.text
        assert "daily digest" in listing.text
        bad = await page.post("/saved-searches", {"name": "Odd", "query": "spec.width.gte=5kg"})
        assert bad.status_code == 303
        assert "Wide fabric" in (await page.get("/saved-searches")).text
        searches = (await client.get("/api/saved-searches", headers=buyer.headers)).json()["items"]
        assert [s["name"] for s in searches] == ["Wide fabric"]
        off = await page.post("/saved-searches/settings", {})
        assert off.status_code == 303
        assert "Suggestions are off" in (await page.get("/dashboard/suggestions")).text
        gone = await page.post(f"/saved-searches/{searches[0]['id']}/delete")
        assert gone.status_code == 303
        assert (await client.get("/api/saved-searches", headers=buyer.headers)).json()["items"] == []
        dashboard = await page.get("/dashboard")
        assert "/dashboard/suggestions" in dashboard.text
    finally:
        page.close()


async def test_the_seller_sees_the_pricing_panel_and_lowers_the_price(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    lot = await publish(client, seller, (await post_lot(client, seller, body(city=unique_place())))["id"])
    page = PageSession(client)
    try:
        await page.sign_in(seller)
        detail = await page.get(f"/lots/{lot['id']}")
        assert f"/lots/{lot['id']}/pricing" in detail.text
        panel = await page.get(f"/lots/{lot['id']}/pricing")
        assert "64.0 %" in panel.text
        assert "above the grade A band" in panel.text
        cut = await page.post(f"/lots/{lot['id']}/price-cut", {"price": "12000.00"})
        assert cut.status_code == 303
        assert (await client.get(f"/api/lots/{lot['id']}")).json()["sale"]["price"] == "12000.00"
        assert "/dashboard/slow-sales" in (await page.get("/dashboard")).text
        assert (await page.get("/dashboard/slow-sales")).status_code == 200
        await page.sign_in(buyer)
        assert (await page.get(f"/lots/{lot['id']}/pricing")).status_code == 403
    finally:
        page.close()
