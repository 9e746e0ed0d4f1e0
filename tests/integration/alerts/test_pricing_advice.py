"""Sellers' pricing: the asking price against the grade band and comparable sold lots (a warning, never a
refusal), and slow-sale advice given once for a lot nobody has asked for, applied with one call."""

from __future__ import annotations

from datetime import timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.alerts.models import LotPriceChange
from exchange.alerts.services.slow_sale import advise_slow_lots
from exchange.audit.models import AuditRecord
from exchange.clock import ManualClock
from tests.conftest import OrgFactory
from tests.integration.alerts._support import alerts_of, fanned_out, save_search
from tests.support.catalogue import body, post_lot, publish, unique_place


async def test_a_price_outside_the_grade_band_is_published_with_a_warning(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    # 40000.00 for 5000 m is 8.00 a metre: 64 % of the 12.50 reference, far above grade A's 15-20 %.
    lot = await publish(client, seller, (await post_lot(client, seller, body(city=unique_place())))["id"])
    assert lot["status"] == "live"
    pricing = (await client.get(f"/api/lots/{lot['id']}/pricing", headers=seller.headers)).json()
    assert pricing["position"] == "above"
    assert pricing["percent_of_reference"] == "64.0"
    assert pricing["band"] == {"grade": "A", "low_percent": 15, "high_percent": 20, "source": "default"}
    assert "above the grade A band" in pricing["warnings"][0]
    assert pricing["slow_sale"] is None
    fair = await publish(
        client,
        seller,
        (await post_lot(client, seller, body(city=unique_place(), sale__price="11250.00")))["id"],  # 18 %
    )
    fair_pricing = (await client.get(f"/api/lots/{fair['id']}/pricing", headers=seller.headers)).json()
    assert fair_pricing["position"] == "within"
    assert fair_pricing["warnings"] == []
    assert (await client.get(f"/api/lots/{lot['id']}/pricing", headers=buyer.headers)).status_code == 403
    assert (await client.get("/api/lots/999999999/pricing", headers=seller.headers)).status_code == 404


async def test_a_slow_lot_gets_advice_once_and_one_click_applies_the_cut(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    place = unique_place()
    await save_search(client, buyer, f"location={place}&price_max=20000.00&currency=USD", name="Cheap cloth")
    # In US dollars: no other test sells such lots, so there are no comparable sales to go by.
    lot_body = body(city=place, listing_days=14, currency="USD")
    slow = await publish(client, seller, (await post_lot(client, seller, lot_body))["id"])
    asked = await publish(client, seller, (await post_lot(client, seller, lot_body))["id"])
    rfq = await client.post(
        f"/api/lots/{asked['id']}/rfqs", json={"price": "30000.00", "message": "Would you?"}, headers=buyer.headers
    )
    assert rfq.status_code == 201, rfq.text
    await fanned_out(db, slow["id"])
    assert await alerts_of(client, buyer) == []  # 40000.00 is over the search's 20000.00

    clock = ManualClock()
    # Other tests' lots share the catalogue and may fall due on these days: look at this test's lots only.
    mine = {slow["id"], asked["id"]}
    assert mine.isdisjoint(await advise_slow_lots(db, None, clock.advance(timedelta(days=6).total_seconds())))
    advised = await advise_slow_lots(db, None, clock.advance(timedelta(days=2).total_seconds()))
    assert slow["id"] in advised
    assert asked["id"] not in advised  # somebody asked for a quote
    assert mine.isdisjoint(await advise_slow_lots(db, None, clock.advance(3600)))  # once per lot
    notes = (await client.get("/api/notifications", headers=seller.headers)).json()["items"]
    assert [n["link"] for n in notes if n["kind"] == "slow_sale_advice"] == [f"/lots/{slow['id']}/pricing"]

    advice = (await client.get(f"/api/lots/{slow['id']}/pricing", headers=seller.headers)).json()["slow_sale"]
    # No comparable sales of this grade: the middle of grade A's band, 17.5 % of 12.50 x 5000 m.
    assert advice["suggested_price"] == "10937.50"
    assert "band" in advice["basis"]
    assert any("Split" in option for option in advice["options"])
    assert advice["applied"] is False

    cut = await client.post(f"/api/lots/{slow['id']}/price-cut", json={}, headers=seller.headers)
    assert cut.status_code == 200, cut.text
    assert (cut.json()["old_price"], cut.json()["new_price"]) == ("40000.00", "10937.50")
    lot = (await client.get(f"/api/lots/{slow['id']}")).json()
    assert lot["sale"]["price"] == "10937.50"
    async with db() as session:
        history = list(await session.scalars(select(LotPriceChange).where(LotPriceChange.lot_id == slow["id"])))
        audited = list(
            await session.scalars(
                select(AuditRecord.action).where(AuditRecord.object_type == "lot", AuditRecord.object_id == slow["id"])
            )
        )
    assert [(h.old_minor, h.new_minor) for h in history] == [(4_000_000, 1_093_750)]
    assert "price_cut" in audited
    await fanned_out(db, slow["id"])
    assert await alerts_of(client, buyer) == [f"/lots/{slow['id']}"]  # the searches were checked again
    applied = (await client.get(f"/api/lots/{slow['id']}/pricing", headers=seller.headers)).json()["slow_sale"]
    assert applied["applied"] is True

    higher = await client.post(f"/api/lots/{slow['id']}/price-cut", json={"price": "50000"}, headers=seller.headers)
    assert higher.status_code == 422
    assert higher.json()["code"] == "price_not_lower"
    theirs = await client.post(f"/api/lots/{slow['id']}/price-cut", json={"price": "1"}, headers=buyer.headers)
    assert theirs.status_code == 403
    bought = await client.post(f"/api/lots/{slow['id']}/purchase", headers=buyer.headers)
    assert bought.status_code == 201, bought.text
    assert bought.json()["amount"] == "10937.50"
