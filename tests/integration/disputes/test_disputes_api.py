"""Inspection, disputes and arbitration through the API: the refund formula, each outcome, races, visibility."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.accounts import services as account_services
from exchange.audit.models import AuditRecord
from tests.conftest import DEMO_PASSWORD, Actor, OrgFactory, token_for, unique_email
from tests.support.disputes import DeliveredOrder, delivered_order, money_after

# The fabric lot: 5000 m, grade A, reference price 12.50/m; sold for 10000.00.
FINDINGS = {"units_inspected": 200, "units_defective": 20, "sampling": "iso2859", "observed_grade": "B"}
SUGGESTED = "3571.43"  # 10 % defective beyond grade A's 0 %: 1000.00; grade B for A: 2/7 of 9000.00 = 2571.43


async def _deal(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> DeliveredOrder:
    return await delivered_order(client, db, make_org, amount_minor=1_000_000, reference_price_minor=1250)


async def _disputed(deal: DeliveredOrder, **claim: Any) -> dict[str, Any]:
    inspected = await deal.inspect(**FINDINGS)
    assert inspected.status_code == 201, inspected.text
    opened = await deal.dispute(reason="Ten per cent of the rolls are stained; the rest is grade B at best.", **claim)
    assert opened.status_code == 201, opened.text
    return dict(opened.json())


async def test_an_inspection_answers_the_suggested_refund_line_by_line(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await _deal(client, db, make_org)
    response = await deal.inspect(**FINDINGS, defects_by_kind={"stains": 14, "holes": 6}, notes="rolls 3, 9, 17")
    assert response.status_code == 201, response.text
    record = response.json()
    assert record["sample_size"] == 200  # ISO 2859-1 level II, 5000 units: code letter L
    assert record["sample_sufficient"] is True
    assert record["suggested_refund"] == SUGGESTED
    assert [line["amount"] for line in record["refund_lines"]] == ["1000.00", "2571.43"]
    assert "Grade B observed against A listed" in record["refund_lines"][1]["label"]
    assert record["order_status"] == "inspecting"
    assert (await deal.order())["status"] == "inspecting"


async def test_a_sample_that_matches_the_listing_suggests_no_refund(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await _deal(client, db, make_org)
    response = await deal.inspect(units_inspected=1500, units_defective=0, observed_grade="A")
    assert response.status_code == 201, response.text
    assert response.json()["suggested_refund"] == "0.00"
    assert response.json()["sample_size"] == 1500  # flat 30 %


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"units_inspected": 10, "units_defective": 11}, "units_defective"),
        ({"units_inspected": 9000, "units_defective": 0}, "units_inspected"),
        ({"units_inspected": 10, "units_defective": 2, "defects_by_kind": {"stains": 3}}, "defects_by_kind"),
        ({"units_inspected": 10, "units_defective": 2, "photos": [2_000_000_000]}, "photos"),
        ({"units_inspected": 0, "units_defective": 0}, "units_inspected"),
        ({"units_inspected": 10, "units_defective": 0, "observed_grade": "D"}, "observed_grade"),
    ],
)
async def test_impossible_findings_are_refused_naming_the_field(
    client: AsyncTestClient[Litestar],
    db: async_sessionmaker[AsyncSession],
    make_org: OrgFactory,
    body: dict[str, Any],
    field: str,
) -> None:
    deal = await _deal(client, db, make_org)
    response = await deal.inspect(**body)
    assert response.status_code in (400, 422), response.text  # 400: the body's schema, 422: the findings
    assert response.json()["field"] == field  # the problem names the field; its detail is plain words


async def test_only_the_buyer_inspects(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await _deal(client, db, make_org)
    response = await client.post(f"/api/orders/{deal.order_id}/inspection", json=FINDINGS, headers=deal.seller.headers)
    assert response.status_code == 403, response.text


async def test_the_seller_accepts_the_suggested_refund_in_one_click(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await _deal(client, db, make_org)
    dispute = await _disputed(deal)
    assert dispute["claimed_refund"] == SUGGESTED
    assert dispute["suggested_refund"] == SUGGESTED
    assert dispute["status"] == "open"
    assert (await deal.order())["status"] == "disputed"

    answered = await client.post(
        f"/api/disputes/{dispute['id']}/answer",
        json={"answer": "accept", "message": "Sorry."},
        headers=deal.seller.headers,
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "resolved"
    assert answered.json()["outcome"] == "claim_accepted"
    assert answered.json()["refund"] == SUGGESTED
    assert (await deal.order())["status"] == "resolved"
    money = await money_after(db, deal)
    assert (money["escrow"], money["refund"], money["entries"]) == (0, 357_143, 2)
    assert money["seller"] == money["seller_due"] == 642_857 - 32_143  # 5 % default fee, half-up
    async with db() as session:
        audited = await session.scalars(
            select(AuditRecord.action)
            .where(AuditRecord.object_type == "dispute", AuditRecord.object_id == dispute["id"])
            .order_by(AuditRecord.seq)
        )
        assert list(audited) == ["open", "accept"]


async def test_the_buyer_takes_the_sellers_offer(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await _deal(client, db, make_org)
    dispute = await _disputed(deal, claimed_refund="5000.00")
    offered = await client.post(
        f"/api/disputes/{dispute['id']}/answer",
        json={"answer": "offer", "amount": "2000.00", "message": "The stains wash out."},
        headers=deal.seller.headers,
    )
    assert offered.status_code == 200, offered.text
    assert offered.json()["status"] == "offered"
    assert offered.json()["offer"] == "2000.00"
    early = await client.post(
        f"/api/disputes/{dispute['id']}/decide", json={"outcome": "release", "reason": "x"}, headers=deal.seller.headers
    )
    assert early.status_code == 403

    taken = await client.post(f"/api/disputes/{dispute['id']}/accept-offer", headers=deal.buyer.headers)
    assert taken.status_code == 200, taken.text
    assert taken.json()["outcome"] == "offer_accepted"
    assert taken.json()["refund"] == "2000.00"
    money = await money_after(db, deal)
    assert (money["escrow"], money["refund"], money["entries"]) == (0, 200_000, 2)
    assert money["seller"] == money["seller_due"] == 800_000 - 40_000  # less the 5 % fee
    again = await client.post(f"/api/disputes/{dispute['id']}/accept-offer", headers=deal.buyer.headers)
    assert again.status_code == 409
    assert again.json()["state"] == "resolved"


@pytest.mark.parametrize(
    ("decision", "refund"),
    [
        ({"outcome": "refund"}, "10000.00"),
        ({"outcome": "partial_refund", "amount": "3000.00"}, "3000.00"),
        ({"outcome": "release"}, "0.00"),
    ],
)
async def test_an_admin_decides_a_rejected_dispute_and_both_sides_are_told_why(
    client: AsyncTestClient[Litestar],
    db: async_sessionmaker[AsyncSession],
    make_org: OrgFactory,
    admin: Actor,
    decision: dict[str, str],
    refund: str,
) -> None:
    deal = await _deal(client, db, make_org)
    dispute = await _disputed(deal)
    rejected = await client.post(
        f"/api/disputes/{dispute['id']}/answer",
        json={"answer": "reject", "message": "The rolls left our mill clean."},
        headers=deal.seller.headers,
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "escalated"
    queue = await client.get("/api/admin/disputes", headers=admin.headers)
    assert queue.status_code == 200
    item = next(i for i in queue.json()["items"] if i["id"] == dispute["id"])
    assert item["suggested_refund"] == SUGGESTED
    seen = await client.get(f"/api/disputes/{dispute['id']}", headers=admin.headers)
    assert [line["amount"] for line in seen.json()["suggestion_lines"]] == ["1000.00", "2571.43"]

    decided = await client.post(
        f"/api/disputes/{dispute['id']}/decide",
        json={**decision, "reason": "Photos show stains on a tenth of the rolls."},
        headers=admin.headers,
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["outcome"] == decision["outcome"]
    assert decided.json()["refund"] == refund
    assert (await deal.order())["status"] == "resolved"
    refund_minor = int(refund.replace(".", ""))
    money = await money_after(db, deal)
    assert (money["escrow"], money["refund"], money["entries"]) == (0, refund_minor, 2)
    kept = 1_000_000 - refund_minor
    fee = (kept * 5 + 50) // 100  # the platform's default 5 %, rounded half-up to the fen
    assert money["seller"] == money["seller_due"] == kept - fee
    for side in (deal.buyer, deal.seller):
        notes = (await client.get("/api/notifications", headers=side.headers)).json()["items"]
        resolved = [n for n in notes if n["kind"] == "dispute_resolved"]
        assert resolved
        assert "Photos show stains" in resolved[0]["body"]


async def test_two_admins_deciding_at_once_make_one_decision(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, admin: Actor
) -> None:
    deal = await _deal(client, db, make_org)
    dispute = await _disputed(deal)
    await client.post(f"/api/disputes/{dispute['id']}/answer", json={"answer": "reject"}, headers=deal.seller.headers)
    other_admin = await _another_admin(client, db)
    answers = await asyncio.gather(
        client.post(
            f"/api/disputes/{dispute['id']}/decide", json={"outcome": "release", "reason": "a"}, headers=admin.headers
        ),
        client.post(
            f"/api/disputes/{dispute['id']}/decide",
            json={"outcome": "refund", "reason": "b"},
            headers=other_admin.headers,
        ),
    )
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    final = (await client.get(f"/api/disputes/{dispute['id']}", headers=admin.headers)).json()
    winner = next(a for a in answers if a.status_code == 200).json()
    assert final["outcome"] == winner["outcome"]
    loser = next(a for a in answers if a.status_code == 409).json()
    assert loser["state"] == "resolved"
    timeline = (await deal.order(admin))["timeline"]
    assert [step["status"] for step in timeline].count("resolved") == 1
    money = await money_after(db, deal)
    assert money["escrow"] == 0
    assert money["entries"] == 2  # the payment and one settlement
    assert money["refund"] == (1_000_000 if winner["outcome"] == "refund" else 0)


async def _another_admin(client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession]) -> Actor:
    email = unique_email("admin")
    async with db() as session, session.begin():
        user = await account_services.create_admin(session, email, DEMO_PASSWORD)
    return Actor(user.id, None, email, await token_for(client, email), "admin")


async def test_a_third_organisation_sees_no_dispute_and_no_evidence(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await _deal(client, db, make_org)
    photo = await client.post(
        f"/api/orders/{deal.order_id}/evidence",
        files={"file": ("stain.png", PNG, "image/png")},
        headers=deal.buyer.headers,
    )
    assert photo.status_code == 201, photo.text
    evidence_id = photo.json()["id"]
    dispute = await _disputed(deal, evidence_ids=[evidence_id])
    assert [e["id"] for e in dispute["evidence"]] == [evidence_id]
    for party in (deal.buyer, deal.seller):
        got = await client.get(f"/api/orders/{deal.order_id}/evidence/{evidence_id}", headers=party.headers)
        assert got.status_code == 200
        assert got.content == PNG

    stranger = await make_org("buyer")
    base = f"/api/disputes/{dispute['id']}"
    for method, path, body in [
        ("GET", base, None),
        ("POST", f"{base}/answer", {"answer": "accept"}),
        ("POST", f"{base}/messages", {"body": "hello"}),
        ("POST", f"{base}/accept-offer", None),
        ("POST", f"{base}/escalate", None),
        ("POST", f"{base}/decide", {"outcome": "release", "reason": "x"}),
        ("GET", f"/api/orders/{deal.order_id}/evidence/{evidence_id}", None),
        ("POST", f"/api/orders/{deal.order_id}/inspection", FINDINGS),
        ("POST", f"/api/orders/{deal.order_id}/disputes", {"reason": "mine"}),
    ]:
        response = await client.request(method, path, json=body, headers=stranger.headers)
        assert response.status_code == 404, (path, response.text)
    upload = await client.post(
        f"/api/orders/{deal.order_id}/evidence", files={"file": ("x.png", PNG, "image/png")}, headers=stranger.headers
    )
    assert upload.status_code == 404


async def test_messages_with_evidence_join_the_thread_and_tell_the_other_side(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await _deal(client, db, make_org)
    dispute = await _disputed(deal)
    photo = await client.post(
        f"/api/orders/{deal.order_id}/evidence",
        files={"file": ("mill.png", PNG, "image/png")},
        headers=deal.seller.headers,
    )
    said = await client.post(
        f"/api/disputes/{dispute['id']}/messages",
        json={"body": "Our outgoing inspection photo.", "evidence_ids": [photo.json()["id"]]},
        headers=deal.seller.headers,
    )
    assert said.status_code == 201, said.text
    thread = said.json()["messages"]
    assert [m["side"] for m in thread] == ["buyer", "seller"]
    assert thread[1]["evidence_ids"] == [photo.json()["id"]]
    notes = (await client.get("/api/notifications", headers=deal.buyer.headers)).json()["items"]
    assert any(n["kind"] == "dispute_message" for n in notes)


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\x1c\xa1\x00\x00\x00\x00IEND\xaeB`\x82"
)


async def test_a_claim_without_an_inspection_is_the_whole_amount_and_accepting_it_refunds_everything(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await _deal(client, db, make_org)
    opened = await deal.dispute(reason="Wrong colour: grey, not navy blue.")
    assert opened.status_code == 201, opened.text
    assert opened.json()["claimed_refund"] == "10000.00"
    assert opened.json()["suggested_refund"] is None
    too_much = await client.post(
        f"/api/disputes/{opened.json()['id']}/answer",
        json={"answer": "offer", "amount": "10000.01"},
        headers=deal.seller.headers,
    )
    assert too_much.status_code == 422
    assert too_much.json()["field"] == "amount"
    answered = await client.post(
        f"/api/disputes/{opened.json()['id']}/answer", json={"answer": "accept"}, headers=deal.seller.headers
    )
    assert answered.status_code == 200, answered.text
    money = await money_after(db, deal)
    assert (money["escrow"], money["refund"], money["seller"]) == (0, 1_000_000, 0)
