from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from unittest.mock import patch

from litestar import Litestar
from litestar.testing import AsyncTestClient

from exchange.app import create_app
from exchange.lots.search import _query as search_query
from exchange.settings import Settings
from tests.conftest import DEMO_PASSWORD, Actor, OrgFactory
from tests.support.catalogue import POWER_BANK, body, post_lot, publish, unique_place


def _csrf(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the page carries a CSRF token"
    return match.group(1)


@asynccontextmanager
async def signed_in(settings: Settings, email: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=create_app(settings)) as browser:
        form = await browser.get("/login")
        answer = await browser.post(
            "/login",
            data={"email": email, "password": DEMO_PASSWORD, "next": "/dashboard", "_csrf_token": _csrf(form.text)},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        yield browser


FABRIC_FORM = {
    "title": "3200 m polycotton poplin",
    "category": "textiles/fabric",
    "spec.fibre": "polycotton",
    "spec.width": "1.6 m",
    "spec.weight": "120",
    "spec.colour": "white",
    "quantity_value": "3200",
    "quantity_unit": "m",
    "grade": "B",
    "defects": "Light soiling on the selvedge of 6 rolls.",
    "source": "season_end",
    "sale_mode": "fixed_price",
    "price": "25600.00",
    "listing_days": "14",
    "rfq_enabled": "on",
    "visibility": "public",
    "country": "CN",
}


async def test_the_browse_page_filters_by_spec_and_an_htmx_request_gets_only_the_browse_region(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    place = unique_place()
    wide = await publish(client, seller, (await post_lot(client, seller, body(city=place, title="Wide denim")))["id"])
    await publish(
        client,
        seller,
        (await post_lot(client, seller, body(city=place, title="Narrow tape", specs__width="30 cm")))["id"],
    )

    page = await client.get(f"/lots?location={place}&category=textiles/fabric&spec.width.gte=1400mm")
    assert page.status_code == 200
    assert "<html" in page.text
    assert f'href="/lots/{wide["id"]}"' in page.text
    assert "Wide denim" in page.text
    assert "Narrow tape" not in page.text
    assert 'name="spec.width.gte"' in page.text
    assert 'value="1400mm"' in page.text
    assert "Showing 1 to 1 of 1 lot" in page.text

    fragment = await client.get(
        f"/lots?location={place}&category=textiles/fabric&spec.width.gte=10cm", headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.text
    assert 'id="browse"' in fragment.text
    assert "Wide denim" in fragment.text
    assert "Narrow tape" in fragment.text

    bad = await client.get("/lots?category=textiles/fabric&spec.width.gte=3kg")
    assert bad.status_code == 422
    assert "kg" in bad.text
    assert 'data-testid="search-error"' in bad.text


async def test_a_private_lot_is_not_on_the_browse_page_and_its_page_is_a_404_for_outsiders(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    place = unique_place()
    private = await publish(
        client, seller,
        (await post_lot(client, seller, body(city=place, title="Secret clearance", visibility="private",
                                             invited_org_ids=[buyer.org_id])))["id"],
    )  # fmt: skip

    listing = await client.get(f"/lots?location={place}")
    assert "Secret clearance" not in listing.text
    assert "No lots match" in listing.text
    assert (await client.get(f"/lots/{private['id']}")).status_code == 404
    assert (await client.get(f"/lots/{private['id']}/events")).status_code == 404
    assert (await client.get(f"/lots/{private['id']}/live")).status_code == 404


async def test_a_seller_posts_a_lot_through_the_form_sees_errors_in_place_and_publishes_it(
    settings: Settings, make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    async with signed_in(settings, seller.email) as browser:
        new = await browser.get("/lots/new")
        assert new.status_code == 200
        token = _csrf(new.text)
        fields = (await browser.get("/lots/new/spec-fields?category=electronics/power-bank")).text
        assert 'name="spec.capacity"' in fields
        assert "3C certificate required" in fields

        wrong = await browser.post("/lots/new", data={**FABRIC_FORM, "spec.width": "2 kg", "_csrf_token": token})
        assert wrong.status_code == 422
        assert "kg" in wrong.text
        assert 'value="2 kg"' in wrong.text

        created = await browser.post("/lots/new", data={**FABRIC_FORM, "_csrf_token": token}, follow_redirects=False)
        assert created.status_code == 303
        lot_path = created.headers["location"]
        detail = await browser.get(lot_path)
        assert "draft" in detail.text
        assert "Width" in detail.text
        assert "160 cm" in detail.text
        assert "Light soiling" in detail.text

        published = await browser.post(f"{lot_path}/publish", data={"_csrf_token": _csrf(detail.text)})
        assert published.status_code == 200
        assert 'data-testid="lot-status">live' in published.text

        mine = await browser.get("/seller/lots?status=live")
        assert "3200 m polycotton poplin" in mine.text
        dashboard = await browser.get("/dashboard")
        assert "/dashboard/catalogue/seller" in dashboard.text
        counts = await browser.get("/dashboard/catalogue/seller")
        assert 'href="/seller/lots?status=live"' in counts.text


async def test_an_admin_approves_a_held_lot_from_the_review_queue(
    settings: Settings, client: AsyncTestClient[Litestar], make_org: OrgFactory, admin: Actor
) -> None:
    seller = await make_org("seller")
    held = await publish(
        client, seller, (await post_lot(client, seller, body(POWER_BANK, title="Held power banks")))["id"]
    )
    assert held["status"] == "in_review"

    async with signed_in(settings, admin.email) as browser:
        queue = await browser.get("/admin/reviews")
        assert "Held power banks" in queue.text
        assert "3C certificate missing" in queue.text
        approved = await browser.post(f"/admin/reviews/{held['id']}/approve", data={"_csrf_token": _csrf(queue.text)})
        assert approved.status_code == 200
        assert "is live" in approved.text
    assert (await client.get(f"/api/lots/{held['id']}")).json()["status"] == "live"


async def test_the_navigation_offers_browsing_to_everyone_and_posting_to_sellers(
    settings: Settings, client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    landing = await client.get("/")
    assert 'href="/lots">Browse lots' in landing.text
    seller = await make_org("seller")
    async with signed_in(settings, seller.email) as browser:
        home = (await browser.get("/dashboard")).text
        assert 'href="/seller/lots">My lots' in home
        assert 'href="/lots/new">Post a lot' in home
    buyer = await make_org("buyer")
    async with signed_in(settings, buyer.email) as browser:
        assert (await browser.get("/lots/new")).status_code == 403


async def test_a_seller_attaches_a_file_from_the_lot_page_and_buyers_can_open_it(
    settings: Settings, client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    draft = await post_lot(client, seller, body(POWER_BANK, certifications=["3C"]))
    pdf = b"%PDF-1.4\n%%EOF\n"
    async with signed_in(settings, seller.email) as browser:
        page = await browser.get(f"/lots/{draft['id']}")
        assert 'data-testid="upload-form"' in page.text
        attached = await browser.post(
            f"/lots/{draft['id']}/files",
            files={"file": ("3c-certificate.pdf", pdf, "application/pdf")},
            data={"kind": "certificate", "_csrf_token": _csrf(page.text)},
        )
        assert attached.status_code == 200
        assert "Certificate attached" in attached.text
        assert "3c-certificate.pdf" in attached.text
        refused = await browser.post(
            f"/lots/{draft['id']}/files",
            files={"file": ("note.txt", b"just text", "text/plain")},
            data={"kind": "certificate", "_csrf_token": _csrf(page.text)},
        )
        assert "Not attached" in refused.text
        published = await browser.post(f"/lots/{draft['id']}/publish", data={"_csrf_token": _csrf(page.text)})
        assert 'data-testid="lot-status">live' in published.text
    lot = (await client.get(f"/api/lots/{draft['id']}")).json()
    served = await client.get(f"/lots/{draft['id']}/files/{lot['documents'][0]['id']}")
    assert served.content == pdf


async def test_past_the_counting_cap_the_api_and_the_page_say_at_least_so_many_lots(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    place = unique_place()
    for title in ("Denim one", "Denim two", "Denim three"):
        await publish(client, seller, (await post_lot(client, seller, body(city=place, title=title)))["id"])

    with patch.object(search_query, "TOTAL_CAP", 2):  # 10 000 in use: three lots stand for more than that
        answer = (await client.get(f"/api/lots?location={place}&limit=1")).json()
        english = (await client.get(f"/lots?location={place}&limit=1", headers={"Accept-Language": "en"})).text
        chinese = (await client.get(f"/lots?location={place}&limit=1", headers={"Accept-Language": "zh-CN"})).text
    assert (answer["total"], answer["total_is_lower_bound"], len(answer["items"])) == (2, True, 1)
    assert "Showing 1 to 1 of 2+ lots" in english
    assert "共 2+ 个批次" in chinese

    exact = (await client.get(f"/api/lots?location={place}")).json()
    assert (exact["total"], exact["total_is_lower_bound"]) == (3, False)
