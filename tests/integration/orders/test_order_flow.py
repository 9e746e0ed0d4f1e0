"""An order from payment to settlement through the API: the table's refusals, deadlines, races, replays."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.orders.models import OrderDeadline, OrderEvent, Payment
from tests.conftest import OrgFactory
from tests.support.orders import SHIPMENT, fire_deadlines, new_sale


async def _events(db: async_sessionmaker[AsyncSession], order_id: int, action: str) -> int:
    async with db() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(OrderEvent)
            .where(OrderEvent.order_id == order_id, OrderEvent.action == action)
        )
    return int(count or 0)


async def test_an_order_walks_from_payment_to_settlement(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    sale = await new_sale(client, db, make_org)
    fresh = await sale.get()
    assert fresh["status"] == "awaiting_payment"
    assert fresh["allowed_actions"] == ["pay"]
    assert set(fresh["deadlines"]) == {"payment"}
    assert fresh["amount_due"] == "40000.00"
    assert fresh["fees"] is None  # the buyer does not see the fees
    assert (await sale.get(sale.seller))["fees"] == {
        "platform_fee": "2000.00",  # the default schedule: 5 %
        "broker_commission": "0.00",
        "seller_net": "38000.00",
    }

    confirmed = await sale.pay()
    assert confirmed["status"] == "confirmed"
    assert confirmed["order_status"] == "paid"
    paid = await sale.get(sale.seller)
    assert paid["allowed_actions"] == ["ship"]
    assert paid["deadlines"] == {}

    shipped = await sale.ship()
    assert shipped["status"] == "shipped"
    assert shipped["shipment"]["tracking_number"] == SHIPMENT["tracking_number"]
    delivered = await sale.act("deliver", sale.buyer)
    assert delivered.status_code == 200, delivered.text
    assert set(delivered.json()["deadlines"]) == {"inspection"}
    accepted = await sale.act("accept", sale.buyer)
    assert accepted.status_code == 200, accepted.text
    done = accepted.json()
    assert done["status"] == "settled"
    assert done["allowed_actions"] == []
    assert [(e["status"], e["action"]) for e in done["timeline"]] == [
        ("awaiting_payment", "create"),
        ("paid", "confirm_payment"),
        ("shipped", "ship"),
        ("delivered", "deliver"),
        ("accepted", "accept"),
        ("settled", "settle"),
    ]
    assert [e["by"] for e in done["timeline"]][1:] == [
        "provider:simulated",
        f"org:{sale.seller.org_id}",
        f"org:{sale.buyer.org_id}",
        f"org:{sale.buyer.org_id}",
        "system",
    ]
    notes = await client.get("/api/notifications", headers=sale.seller.headers)
    assert {"order_paid", "order_delivered", "order_settled"} <= {n["kind"] for n in notes.json()["items"]}


async def test_wrong_state_is_409_naming_state_and_actions_and_wrong_side_is_403(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    sale = await new_sale(client, db, make_org)
    early = await sale.act("ship", sale.seller, SHIPMENT)
    assert early.status_code == 409, early.text
    problem = early.json()
    assert problem["code"] == "order_state"
    assert problem["state"] == "awaiting_payment"
    assert problem["allowed_actions"] == []
    assert early.headers["content-type"].startswith("application/problem+json")

    accept = await sale.act("accept", sale.buyer)
    assert accept.status_code == 409
    assert accept.json()["allowed_actions"] == ["pay"]
    wrong_side = await sale.act("deliver", sale.seller)
    assert wrong_side.status_code == 403
    assert wrong_side.json()["code"] == "order_wrong_side"
    seller_pays = await sale.act("pay", sale.seller)
    assert seller_pays.status_code in (403, 409)
    bad_body = await sale.act("ship", sale.seller, {"carrier": "", "tracking_number": "x", "packages": 0})
    assert bad_body.status_code in (400, 422)
    assert (await sale.get())["status"] == "awaiting_payment"


async def test_a_third_org_gets_404_on_every_order_route(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    sale = await new_sale(client, db, make_org)
    other = await make_org("buyer")
    other_seller = await make_org("seller")
    for actor in (other, other_seller):
        assert (await client.get(f"/api/orders/{sale.order_id}", headers=actor.headers)).status_code == 404
        for action, body in (
            ("pay", None),
            ("ship", SHIPMENT),
            ("deliver", None),
            ("mark-delivered", {"proof": "signed by J. Wu"}),
            ("accept", None),
            ("runner-up-offer", None),
        ):
            answer = await sale.act(action, actor, body)
            assert answer.status_code == 404, (action, answer.text)
            assert answer.json()["code"] == "order_not_found"


async def test_a_payment_callback_needs_its_signature_and_replays_move_nothing(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    sale = await new_sale(client, db, make_org)
    started = await sale.start_payment()
    assert started["status"] == "pending"
    assert started["amount"] == "40000.00"
    again = await sale.start_payment()
    assert again["payment_id"] == started["payment_id"]  # one pending payment per order

    steps = started["instructions"]
    tampered = await sale.callback(steps, amount="1.00")
    assert tampered.status_code == 403
    assert tampered.json()["code"] == "bad_signature"
    unsigned = await client.post(steps["path"], json=steps["body"])
    assert unsigned.status_code == 403
    unknown = await client.post("/api/payments/pay_nope/confirm", json=steps["body"], headers=steps["headers"])
    assert unknown.status_code == 404
    assert (await sale.get())["status"] == "awaiting_payment"

    answers = await asyncio.gather(*(sale.callback(steps) for _ in range(50)))
    assert [a.status_code for a in answers] == [200] * 50
    assert {a.json()["order_status"] for a in answers} == {"paid"}
    assert await _events(db, sale.order_id, "confirm_payment") == 1
    async with db() as session:
        payment = await session.get(Payment, started["payment_id"])
    assert payment is not None
    assert payment.status == "confirmed"


async def test_the_payment_deadline_cancels_an_unpaid_order_once(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    sale = await new_sale(client, db, make_org)
    due = datetime.fromisoformat((await sale.get())["deadlines"]["payment"])
    assert timedelta(days=3) - timedelta(minutes=5) < due - datetime.now(UTC) <= timedelta(days=3)
    assert (sale.order_id, "payment") not in await fire_deadlines(db, due - timedelta(seconds=1))

    fired = await asyncio.gather(*(fire_deadlines(db, due + timedelta(seconds=1)) for _ in range(4)))
    assert sum((sale.order_id, "payment") in f for f in fired) == 1
    cancelled = await sale.get(sale.seller)
    assert cancelled["status"] == "cancelled"
    assert cancelled["timeline"][-1]["by"] == "clock"
    assert await _events(db, sale.order_id, "cancel_unpaid") == 1
    late = await sale.act("pay", sale.buyer)
    assert late.status_code == 409
    assert late.json()["state"] == "cancelled"
    kinds = {n["kind"] for n in (await client.get("/api/notifications", headers=sale.buyer.headers)).json()["items"]}
    assert "order_cancelled" in kinds


async def test_a_paid_order_is_not_cancelled_at_its_old_payment_deadline(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    sale = await new_sale(client, db, make_org)
    await sale.pay()
    await fire_deadlines(db, datetime.now(UTC) + timedelta(days=4))
    assert (await sale.get())["status"] == "paid"
    async with db() as session:
        deadline = await session.scalar(
            select(OrderDeadline).where(OrderDeadline.order_id == sale.order_id, OrderDeadline.name == "payment")
        )
    assert deadline is not None
    assert deadline.closed


async def test_the_inspection_window_ends_in_automatic_acceptance(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    sale = await new_sale(client, db, make_org)
    await sale.pay()
    await sale.ship()
    marked = await sale.act("mark-delivered", sale.seller, {"proof": "signed for by J. Wu at the dock"})
    assert marked.status_code == 200, marked.text
    due = datetime.fromisoformat(marked.json()["deadlines"]["inspection"])
    assert timedelta(hours=47) < due - datetime.now(UTC) <= timedelta(hours=48)
    buyer_notes = (await client.get("/api/notifications", headers=sale.buyer.headers)).json()["items"]
    assert "order_marked_delivered" in {n["kind"] for n in buyer_notes}

    await fire_deadlines(db, due - timedelta(minutes=1))
    assert (await sale.get())["status"] == "delivered"
    await fire_deadlines(db, due + timedelta(minutes=1))
    done = await sale.get()
    assert done["status"] == "settled"
    assert [(e["action"], e["by"]) for e in done["timeline"][-2:]] == [("auto_accept", "clock"), ("settle", "system")]


async def test_the_buyer_accepting_as_the_window_closes_settles_once(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    for _round in range(3):
        sale = await new_sale(client, db, make_org)
        await sale.pay()
        await sale.ship()
        delivered = await sale.act("deliver", sale.buyer)
        due = datetime.fromisoformat(delivered.json()["deadlines"]["inspection"])
        accepted, _fired = await asyncio.gather(
            sale.act("accept", sale.buyer), fire_deadlines(db, due + timedelta(seconds=1))
        )
        assert accepted.status_code in (200, 409), accepted.text
        assert (await sale.get())["status"] == "settled"
        assert await _events(db, sale.order_id, "settle") == 1
        assert await _events(db, sale.order_id, "accept") + await _events(db, sale.order_id, "auto_accept") == 1


async def test_a_deadline_reminder_goes_out_once_a_day_ahead(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    from exchange.orders import actions, deadlines

    sale = await new_sale(client, db, make_org)
    due = datetime.fromisoformat((await sale.get())["deadlines"]["payment"])

    async def reminded() -> int:
        notes = (await client.get("/api/notifications", headers=sale.buyer.headers)).json()["items"]
        return sum(n["kind"] == "payment_due_soon" and f"Order {sale.order_id}:" in n["title"] for n in notes)

    await deadlines.remind_due(db, actions.remind, due - timedelta(hours=25))
    assert await reminded() == 0
    await asyncio.gather(*(deadlines.remind_due(db, actions.remind, due - timedelta(hours=23)) for _ in range(3)))
    await deadlines.remind_due(db, actions.remind, due - timedelta(hours=1))
    assert await reminded() == 1


async def test_every_move_appends_an_audit_record(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    from exchange.audit.models import AuditRecord

    sale = await new_sale(client, db, make_org)
    await sale.pay()
    await sale.ship()
    async with db() as session:
        rows = (
            await session.execute(
                select(AuditRecord.action, AuditRecord.actor, AuditRecord.before, AuditRecord.after)
                .where(AuditRecord.object_type == "order", AuditRecord.object_id == sale.order_id)
                .order_by(AuditRecord.seq)
            )
        ).all()
    assert [(r.action, r.actor) for r in rows] == [
        ("confirm_payment", "provider:simulated"),
        ("ship", f"org:{sale.seller.org_id}"),
    ]
    assert '"awaiting_payment"' in rows[0].before
    assert '"paid"' in rows[0].after


async def test_the_new_order_routes_are_in_the_openapi_document(client: AsyncTestClient[Litestar]) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    for path in (
        "/api/orders/{order_id}/pay",
        "/api/orders/{order_id}/ship",
        "/api/orders/{order_id}/deliver",
        "/api/orders/{order_id}/mark-delivered",
        "/api/orders/{order_id}/accept",
        "/api/orders/{order_id}/runner-up-offer",
        "/api/payments/{payment_id}/confirm",
        "/api/admin/orgs/{org_id}/credit",
        "/api/runner-up-offers/{offer_id}/accept",
    ):
        assert path in paths, path


async def test_a_lot_whose_buyer_did_not_pay_can_be_relisted_and_sold_again(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    sale = await new_sale(client, db, make_org)
    lot_id = (await sale.get())["lot_id"]
    too_soon = await client.post(f"/api/lots/{lot_id}/relist", headers=sale.seller.headers)
    assert too_soon.status_code == 409  # its order is still waiting for payment
    await fire_deadlines(db, datetime.now(UTC) + timedelta(days=3, minutes=1))
    relisted = await client.post(f"/api/lots/{lot_id}/relist", headers=sale.seller.headers)
    assert relisted.status_code == 200, relisted.text
    assert relisted.json()["status"] == "live"
    other = await make_org("buyer")
    bought = await client.post(f"/api/lots/{lot_id}/purchase", headers=other.headers)
    assert bought.status_code == 201, bought.text
    assert bought.json()["id"] != sale.order_id
