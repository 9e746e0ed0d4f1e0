"""Runner-up offers from the pages, without JS: the seller of a sealed-bid order whose winner did not pay offers
the lot down the ranking from the order page; each offered bidder sees the offer on its own page and declines
or buys at its own final bid."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import OrgFactory
from tests.support.order_sources import Sources
from tests.support.orders import fire_deadlines
from tests.support.pages import PageSession


def _offer_ids(html: str) -> list[int]:
    return [int(found) for found in dict.fromkeys(re.findall(r'href="/runner-up-offers/(\d+)"', html))]


async def test_the_seller_offers_the_lot_down_the_ranking_and_a_runner_up_buys_it_from_its_page(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, winner, second, third = [await make_org(kind) for kind in ("seller", "buyer", "buyer", "buyer")]
    sources = Sources(client, db, seller, await make_org("broker"))
    now = datetime.now(UTC)
    made = await sources.award([(winner, "900.00"), (second, "850.00"), (third, "700.00")], now)
    url = f"/orders/{made.order_id}"
    page = PageSession(client)
    try:
        await page.sign_in(seller)
        assert 'data-testid="runner-up-form"' not in (await page.get(url)).text  # the winner may still pay
        refused = await page.post(f"{url}/runner-up-offer")
        assert refused.status_code == 409
        assert "Only a cancelled order of a sealed-bid award" in refused.text

        await fire_deadlines(db, now + timedelta(days=3, minutes=1))  # the winner did not pay
        assert 'data-testid="runner-up-form"' in (await page.get(url)).text
        offered = await page.post(f"{url}/runner-up-offer")
        assert (offered.status_code, offered.headers["location"]) == (303, url)
        shown = (await page.get(url)).text
        assert "offered to the next bidder at its own final bid of 850.00 CNY" in shown
        (first_offer,) = _offer_ids(shown)
        again = await page.post(f"{url}/runner-up-offer")  # one open offer per lot at a time
        assert again.status_code == 409

        await page.sign_in(second)
        offer_page = (await page.get(f"/runner-up-offers/{first_offer}")).text
        assert "850.00 CNY" in offer_page
        assert 'data-testid="offer-accept-form"' in offer_page
        declined = await page.post(f"/runner-up-offers/{first_offer}/decline")
        assert declined.status_code == 303
        after = (await page.get(f"/runner-up-offers/{first_offer}")).text
        assert "Declined" in after
        assert 'data-testid="offer-accept-form"' not in after
        late = await page.post(f"/runner-up-offers/{first_offer}/accept")
        assert late.status_code == 409
        assert "already answered" in late.text

        await page.sign_in(third)  # not offered this one: it does not exist for this org
        assert (await page.get(f"/runner-up-offers/{first_offer}")).status_code == 404

        await page.sign_in(seller)
        assert (await page.post(f"{url}/runner-up-offer")).status_code == 303
        second_offer = _offer_ids((await page.get(url)).text)[-1]
        assert second_offer != first_offer

        await page.sign_in(third)
        assert "700.00 CNY" in (await page.get(f"/runner-up-offers/{second_offer}")).text
        asked = await page.post(f"/runner-up-offers/{second_offer}/accept")  # without JavaScript: asked first
        assert asked.status_code == 200
        assert "Buy the lot at your final bid?" in asked.text
        assert 'data-testid="confirm-amount">700.00 CNY' in asked.text
        assert 'data-testid="offer-status"' not in asked.text
        bought = await page.post(f"/runner-up-offers/{second_offer}/accept", {"confirmed": "yes"})
        assert bought.status_code == 303
        new_order = bought.headers["location"]
        assert new_order.startswith("/orders/")
        order_page = (await page.get(new_order)).text
        assert 'data-testid="pay-form"' in order_page
        assert "700.00 CNY" in order_page

        await page.sign_in(seller)
        listed = (await page.get(url)).text
        assert f'href="{new_order}"' in listed
        nobody = await page.post(f"{url}/runner-up-offer")  # the lot has a live order again
        assert nobody.status_code == 409
    finally:
        page.close()
