from __future__ import annotations

from datetime import date, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import Actor, OrgFactory
from tests.support.catalogue import POWER_BANK, body, post_lot, publish

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def _attach(client: AsyncTestClient[Litestar], seller: Actor, lot_id: int, kind: str) -> None:
    response = await client.post(
        f"/api/lots/{lot_id}/documents",
        files={"file": ("document.pdf", PDF, "application/pdf")},
        data={"kind": kind},
        headers=seller.headers,
    )
    assert response.status_code == 201, response.text


async def test_a_power_bank_without_its_3c_certificate_waits_for_review_and_an_admin_approves_it(
    client: AsyncTestClient[Litestar], make_org: OrgFactory, admin: Actor
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    draft = await post_lot(client, seller, POWER_BANK)

    flagged = await publish(client, seller, draft["id"])

    assert flagged["status"] == "in_review"
    assert "3C certificate missing" in flagged["review_reason"]
    assert (await client.get(f"/api/lots/{draft['id']}", headers=buyer.headers)).status_code == 404
    queue = (await client.get("/api/admin/reviews", headers=admin.headers)).json()["items"]
    assert draft["id"] in [lot["id"] for lot in queue]
    assert (await client.get("/api/admin/reviews", headers=seller.headers)).status_code == 403

    approved = await client.post(f"/api/admin/lots/{draft['id']}/approve", json={}, headers=admin.headers)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "live"
    assert (await client.get(f"/api/lots/{draft['id']}", headers=buyer.headers)).json()["status"] == "live"
    notes = (await client.get("/api/notifications", headers=seller.headers)).json()["items"]
    assert [n["link"] for n in notes if n["kind"] == "lot_approved"] == [f"/lots/{draft['id']}"]


async def test_a_rejected_lot_returns_to_its_seller_as_a_draft_with_the_reason(
    client: AsyncTestClient[Litestar], make_org: OrgFactory, admin: Actor
) -> None:
    seller = await make_org("seller")
    draft = await post_lot(client, seller, body(POWER_BANK, certifications=["3C"]))
    flagged = await publish(client, seller, draft["id"])
    assert flagged["status"] == "in_review"
    assert "no certificate document" in flagged["review_reason"]

    no_reason = await client.post(f"/api/admin/lots/{draft['id']}/reject", json={"reason": ""}, headers=admin.headers)
    assert no_reason.status_code == 422
    rejected = await client.post(
        f"/api/admin/lots/{draft['id']}/reject",
        json={"reason": "Attach the 3C certificate scan."},
        headers=admin.headers,
    )
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "draft"
    assert "Attach the 3C certificate scan." in rejected.json()["review_reason"]

    await _attach(client, seller, draft["id"], "certificate")
    assert (await publish(client, seller, draft["id"]))["status"] == "live"


async def test_a_power_bank_with_3c_declared_and_attached_goes_straight_live(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    draft = await post_lot(client, seller, body(POWER_BANK, certifications=["3C"]))
    await _attach(client, seller, draft["id"], "certificate")

    live = await publish(client, seller, draft["id"])

    assert live["status"] == "live"
    assert [d["kind"] for d in live["documents"]] == ["certificate"]


async def test_branded_goods_without_authorisation_go_to_review(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    shoes = body(
        category="footwear/shoes",
        title="2400 pairs of running shoes",
        specs={"shoe_type": "sneakers", "sizes": "EU 39-45", "brand": "Stridewell"},
        quantity={"value": 2400, "unit": "pairs"},
    )
    unbranded = body(shoes, specs={"shoe_type": "sneakers", "sizes": "EU 39-45", "brand": "unbranded"})

    assert (await publish(client, seller, (await post_lot(client, seller, shoes))["id"]))["status"] == "in_review"
    assert (await publish(client, seller, (await post_lot(client, seller, unbranded))["id"]))["status"] == "live"


async def test_packaged_food_needs_thirty_days_before_its_best_before_date_to_publish(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    food = body(
        category="food/packaged",
        title="12000 packs of instant noodles",
        specs={"product": "Instant noodles, beef", "net_weight": "0.12 kg", "storage": "ambient"},
        quantity={"value": 12000, "unit": "packs"},
    )
    soon = await post_lot(client, seller, body(food, best_before=(date.today() + timedelta(days=20)).isoformat()))
    missing = await post_lot(client, seller, food)
    fine = await post_lot(client, seller, body(food, best_before=(date.today() + timedelta(days=90)).isoformat()))

    for lot in (soon, missing):
        refused = await client.post(f"/api/lots/{lot['id']}/publish", headers=seller.headers)
        assert refused.status_code == 422
        assert refused.json()["field"] == "best_before"
    live = await publish(client, seller, fine["id"])
    assert live["status"] == "live"
    assert live["specs"]["net_weight"] == 120.0
