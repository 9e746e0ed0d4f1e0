"""The pages speak the reader's language (Accept-Language, then the switcher's choice, kept on the user);
money, counts and times follow it; the JSON API stays in English."""

from __future__ import annotations

import html

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import OrgFactory
from tests.support.catalogue import body, post_lot, publish, unique_place
from tests.support.lots import live_lot
from tests.support.pages import PageSession, page_headers

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


async def _lot(client: AsyncTestClient[Litestar], make_org: OrgFactory) -> tuple[int, str]:
    seller = await make_org("seller")
    place = unique_place()
    lot = await post_lot(client, seller, body(city=place, sale__price="1140000.00"))
    await publish(client, seller, lot["id"])
    return lot["id"], place


async def test_a_lot_page_in_chinese_shows_chinese_words_and_yuan_and_in_english_cny(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    lot_id, place = await _lot(client, make_org)
    client.cookies.clear()

    chinese = (await client.get(f"/lots/{lot_id}", headers=ZH)).text
    assert '<html lang="zh-CN"' in chinese
    assert "规格" in chinese
    assert "销售条款" in chinese
    assert "浏览批次" in chinese
    assert "¥1,140,000.00" in chinese
    assert "1140000.00 CNY" not in chinese
    assert "纺织品 > 面料" not in chinese
    assert "面料" in chinese
    assert "幅宽" in chinese  # and its Chinese spec label

    english = (await client.get(f"/lots/{lot_id}", headers=EN)).text
    assert '<html lang="en"' in english
    assert "Specifications" in english
    assert "Sale terms" in english
    assert "1,140,000.00 CNY" in english
    assert "¥" not in english
    assert "Fabric" in english
    assert "Width" in english

    # No Accept-Language at all: English, as the browser tests expect.
    assert "Specifications" in (await client.get(f"/lots/{lot_id}")).text

    results = (await client.get(f"/lots?location={place}", headers=ZH)).text
    assert "¥1,140,000.00" in results
    assert "显示第" in results


async def test_the_switcher_remembers_the_choice_in_a_cookie_and_on_the_user(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    buyer = await make_org("buyer")
    pages = PageSession(client)
    await pages.sign_in(buyer)
    try:
        chosen = await pages.post("/language", {"locale": "zh_CN", "time_zone": "Europe/Berlin", "next": "/orders"})
        assert (chosen.status_code, chosen.headers["location"]) == (303, "/orders")
        # The browser sends English, but the choice wins.
        orders = (await pages.get("/orders", headers=EN)).text
        assert "订单" in orders
        assert 'value="Europe/Berlin" selected' in orders
        # Signed in again from a fresh browser (no cookie): the choice comes back from the user.
        await pages.sign_in(buyer)
        assert "订单" in (await pages.get("/orders", headers=EN)).text
        back = await pages.post("/language", {"locale": "en", "next": "//evil.example"})
        assert back.headers["location"] == "/"  # only same-site paths are followed
        assert "No orders yet." in (await pages.get("/orders", headers=ZH)).text
    finally:
        pages.close()


async def test_the_api_keeps_english_whatever_the_browser_asks(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    lot_id, _place = await _lot(client, make_org)
    answer = await client.get(f"/api/lots/{lot_id}", headers=ZH)
    assert answer.json()["sale"]["price"] == "1140000.00"
    categories = (await client.get("/api/categories", headers=ZH)).json()
    assert "Fabric" in str(categories)
    assert "面料" not in str(categories)
    missing = await client.get("/api/lots/999999999", headers=ZH)
    assert missing.status_code == 404
    assert missing.json()["title"].isascii()


async def test_notifications_read_in_each_readers_language_name_their_page_and_clear_when_opened(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    lot = await post_lot(client, seller, body(city=unique_place()))
    await publish(client, seller, lot["id"])
    opened = await client.post(f"/api/lots/{lot['id']}/rfqs", json={"price": "30000.00"}, headers=buyer.headers)
    assert opened.status_code == 201, opened.text
    # The API keeps the English text.
    api = (await client.get("/api/notifications", headers={**seller.headers, **ZH})).json()
    assert api["items"][0]["title"] == f"New RFQ on {lot['title']}"
    assert "30,000.00 CNY" in api["items"][0]["body"]

    pages = PageSession(client)
    await pages.sign_in(seller)
    try:
        assert ">1<" in (await pages.get("/notifications/count")).text
        shown = (await pages.get("/notifications", headers=ZH)).text
        assert f"{lot['title']} 收到新询价" in shown
        assert "¥30,000.00" in shown
        assert f'href="/rfqs/{opened.json()["id"]}">打开议价</a>' in shown  # words for the link, not the path
        assert '<span class="notice-dot"' not in (await pages.get("/notifications/count")).text
        english = (await pages.get("/notifications", headers=EN)).text
        assert "Open the negotiation" in english
    finally:
        pages.close()


async def test_a_form_message_reads_in_the_pages_language_and_the_api_keeps_it_english(
    client: AsyncTestClient[Litestar],
) -> None:
    client.cookies.clear()
    await client.get("/register", headers=ZH)
    csrf = client.cookies.get("sx_csrf") or ""
    form = {"name": "李明", "email": "not-an-address", "password": "x", "org_name": "华东纺织", "org_kind": "buyer"}
    refused = await client.post("/register", data={**form, "_csrf_token": csrf}, headers=ZH)
    assert refused.status_code == 422
    assert "请输入有效的电子邮箱地址" in refused.text
    assert 'value="华东纺织"' in refused.text  # the input is kept
    client.cookies.clear()
    api = await client.post(
        "/api/auth/register",
        json={"name": "Li", "email": "not-an-address", "password": "x" * 12, "org": {"name": "HD", "kind": "buyer"}},
        headers=ZH,
    )
    assert api.status_code == 422
    assert api.json()["detail"] == "Enter a valid email address, like name@company.com."


async def test_a_binding_step_is_said_in_chinese_with_yuan_before_it_happens(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    lot_id = await live_lot(db, seller, sale_mode="fixed_price", price_minor=1_140_000_00)
    page = {**await page_headers(client, buyer), **ZH}

    sale = html.unescape((await client.get(f"/lots/{lot_id}/sale", headers=page)).text)
    assert 'data-confirm="购买整个批次 ¥1,140,000.00? 该批次立即归您所有' in sale

    asked = html.unescape((await client.post(f"/lots/{lot_id}/sale/purchase", headers=page)).text)
    assert "购买整个批次" in asked
    assert "您将 ¥1,140,000.00 支付到托管账户" in asked
    assert "以 ¥1,140,000.00 购买" in asked
    assert "Buy the whole lot" not in asked
    assert (await client.get(f"/api/lots/{lot_id}")).json()["status"] == "live"
