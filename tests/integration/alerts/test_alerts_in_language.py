"""Saved-search alerts and the daily digest speak each reader's language: the notification page in the
reader's, each member's mail in the language they chose; the API keeps English."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.alerts.services.digest import send_digest
from exchange.clock import ManualClock
from tests.conftest import OrgFactory
from tests.integration.alerts._support import fanned_out, mails_to, save_search
from tests.support.catalogue import body, post_lot, publish, unique_place
from tests.support.pages import PageSession


async def test_an_alert_and_a_digest_read_in_chinese_for_a_reader_who_chose_it(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    buyer, seller = await make_org("buyer"), await make_org("seller")
    pages = PageSession(client)
    await pages.sign_in(buyer)
    chosen = await pages.post("/language", {"locale": "zh_CN", "next": "/notifications"})
    assert chosen.status_code == 303
    place = unique_place()
    await save_search(client, buyer, f"location={place}", name="Cloth now")
    await save_search(client, buyer, f"location={place}", frequency="daily", name="Cloth daily")
    lot = await publish(client, seller, (await post_lot(client, seller, body(city=place)))["id"])
    await fanned_out(db, lot["id"])
    async with db() as session, session.begin():
        await send_digest(session, buyer.org_id or 0, ManualClock().now())

    subjects = await mails_to(db, buyer.email)
    assert any(subject.startswith("您已保存的搜索 “Cloth now” 有新批次") for subject in subjects), subjects
    assert any(subject.startswith("您的每日汇总") and "为您找到 1 个批次" in subject for subject in subjects), subjects

    page = (await pages.get("/notifications")).text
    assert "您已保存的搜索 “Cloth now” 有新批次" in page
    assert "您的每日汇总" in page
    assert "New lot for your saved search" not in page

    notes = (await client.get("/api/notifications", headers=buyer.headers)).json()["items"]
    titles = [note["title"] for note in notes]
    assert "Your daily digest: 1 lot for you" in titles
    assert any(title.startswith("New lot for your saved search “Cloth now”") for title in titles)
