"""Fee schedules: versions per category, inheritance up the tree, the version an order keeps, the admin API."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.errors import Conflict
from exchange.fees import services
from exchange.fees.models import FeeScheduleVersion
from exchange.fees.rules import FeeSchedule, Tier, split
from exchange.orders import escrow
from exchange.orders.models import Order
from exchange.orders.services import create_order_for_lot
from tests.conftest import Actor, OrgFactory
from tests.support.lots import live_lot


def _window() -> datetime:
    """A stretch of far-future time of the test's own, so tests sharing a database do not see each other's versions."""
    return datetime(2200, 1, 1, tzinfo=UTC) + timedelta(days=random.randrange(10**5) * 10)


def _flat(percent: str, fixed: int = 0, broker: str = "0") -> FeeSchedule:
    return FeeSchedule(tiers=(Tier(None, Decimal(percent)),), fixed_fee_minor=fixed, broker_percent=Decimal(broker))


async def _add(db: async_sessionmaker[AsyncSession], category: str, schedule: FeeSchedule, at: datetime) -> int:
    async with db() as session, session.begin():
        row = await services.create_version(
            session, category=category, schedule=schedule, effective_from=at, at=at, created_by=None
        )
        return row.id


async def test_an_order_keeps_the_version_in_force_when_it_was_created(db: async_sessionmaker[AsyncSession]) -> None:
    start = _window()
    old = await _add(db, "metals/sheet", _flat("4"), start)
    async with db() as session:
        at_order = await services.schedule_in_force(session, "metals/sheet", start + timedelta(hours=1))
    assert at_order.id == old
    # a new version, set later for the day after: the order's kept version is unchanged, new orders use the new one
    new = await _add(db, "metals/sheet", _flat("2"), start + timedelta(days=1))
    async with db() as session:
        kept = await services.schedule_version(session, at_order.id)
        later = await services.schedule_in_force(session, "metals/sheet", start + timedelta(days=2))
        still = await services.schedule_in_force(session, "metals/sheet", start + timedelta(hours=2))
    assert kept.id == old
    assert split(1_000_000, kept.schedule).platform_fee == 40_000
    assert later.id == new
    assert later.version == kept.version + 1
    assert split(1_000_000, later.schedule).platform_fee == 20_000
    assert still.id == old  # a future version is not in force before its time


async def test_sub_categories_inherit_from_the_nearest_parent_with_a_schedule(
    db: async_sessionmaker[AsyncSession],
) -> None:
    start = _window()
    parent = await _add(db, "plastics", _flat("3"), start)
    async with db() as session:
        inherited = await services.schedule_in_force(session, "plastics/resin", start + timedelta(minutes=1))
    assert (inherited.id, inherited.category) == (parent, "plastics")
    own = await _add(db, "plastics/resin", _flat("1"), start + timedelta(hours=1))
    async with db() as session:
        assert (await services.schedule_in_force(session, "plastics/resin", start + timedelta(hours=2))).id == own
        assert (await services.schedule_in_force(session, "plastics", start + timedelta(hours=2))).id == parent


async def test_without_any_schedule_the_default_from_settings_applies(db: async_sessionmaker[AsyncSession]) -> None:
    async with db() as session:
        # long before any test's window: no version of any category is effective yet
        result = await services.schedule_in_force(session, "food/packaged", datetime(2000, 1, 1, tzinfo=UTC))
    assert result.id is None
    assert split(1_000_000, result.schedule).platform_fee == 50_000  # 5 % by default


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "textiles/fabric",
        "tiers": [{"up_to": "10000.00", "percent": "5"}, {"percent": "3"}],
        "fixed_fee": "10.00",
        "broker_percent": "2",
        "effective_from": (datetime.now(UTC) + timedelta(days=3650 + random.randrange(10**4))).isoformat(),
    }
    return {**body, **overrides}


async def test_admins_add_and_list_versions(client: AsyncTestClient[Litestar], admin: Actor) -> None:
    first = await client.post("/api/admin/fee-schedules", json=_body(), headers=admin.headers)
    assert first.status_code == 201, first.text
    made = first.json()
    assert made["tiers"] == [{"up_to": "10000.00", "percent": "5"}, {"up_to": None, "percent": "3"}]
    assert made["fixed_fee"] == "10.00"
    assert made["broker_percent"] == "2"
    assert made["in_force"] is False  # effective only in the future
    second = await client.post("/api/admin/fee-schedules", json=_body(), headers=admin.headers)
    assert second.json()["version"] == made["version"] + 1
    listed = await client.get("/api/admin/fee-schedules", headers=admin.headers)
    assert listed.status_code == 200
    assert {made["id"], second.json()["id"]} <= {row["id"] for row in listed.json()["items"]}


async def test_only_admins_see_or_set_fee_schedules(client: AsyncTestClient[Litestar], make_org: OrgFactory) -> None:
    seller = await make_org("seller")
    assert (await client.get("/api/admin/fee-schedules", headers=seller.headers)).status_code == 403
    assert (await client.post("/api/admin/fee-schedules", json=_body(), headers=seller.headers)).status_code == 403
    assert (await client.get("/api/admin/fee-schedules")).status_code == 401


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "nonsense/thing"}, "category"),
        (
            {"tiers": [{"up_to": "100.00", "percent": "5"}, {"up_to": "50.00", "percent": "3"}, {"percent": "1"}]},
            "tiers[1].up_to",
        ),
        ({"tiers": [{"up_to": "100.00", "percent": "5"}]}, "tiers[0].up_to"),
        ({"tiers": [{"percent": "101"}]}, "tiers[0].percent"),
        ({"tiers": [{"percent": "-1"}]}, "tiers[0].percent"),
        ({"tiers": [{"up_to": "-5", "percent": "1"}, {"percent": "1"}]}, "tiers[0].up_to"),
        ({"broker_percent": "abc"}, "broker_percent"),
        ({"fixed_fee": "1e5"}, "fixed_fee"),
        ({"effective_from": "2001-01-01T00:00:00Z"}, "effective_from"),
    ],
)
async def test_bad_schedules_are_422_naming_the_field(
    client: AsyncTestClient[Litestar], admin: Actor, overrides: dict[str, Any], field: str
) -> None:
    response = await client.post("/api/admin/fee-schedules", json=_body(**overrides), headers=admin.headers)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


async def test_malformed_bodies_are_4xx(client: AsyncTestClient[Litestar], admin: Actor) -> None:
    for body in (
        {"category": "textiles"},
        {**_body(), "tiers": []},
        {**_body(), "extra": 1},
        {**_body(), "fixed_fee": 1.5},
    ):
        response = await client.post("/api/admin/fee-schedules", json=body, headers=admin.headers)
        assert 400 <= response.status_code < 500, response.text


async def test_a_real_order_keeps_its_version_for_settlement_and_its_statement(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    lot_id = await live_lot(db, seller, sale_mode="fixed_price", price_minor=3_000_000)
    start = _window()
    tiered = FeeSchedule(tiers=(Tier(1_000_000, Decimal(5)), Tier(None, Decimal(3))), fixed_fee_minor=1_000)
    old = await _add(db, "textiles/fabric", tiered, start)
    async with db() as session, session.begin():
        order = await create_order_for_lot(
            session, lot_id, buyer_org_id=buyer.org_id or 0, amount_minor=3_000_000, source="purchase",
            at=start + timedelta(hours=1),
        )  # fmt: skip
    assert order.fee_schedule_id == old
    await _add(db, "textiles", _flat("1"), start + timedelta(hours=2))  # a nearer ancestor later: no matter
    await _add(db, "textiles/fabric", _flat("9"), start + timedelta(days=1))
    async with db() as session:
        stored = await session.get(Order, order.id)
        assert stored is not None
        split_then = await escrow.fees_for(session, stored)
    assert (split_then.platform_fee, split_then.seller_net) == (111_000, 2_889_000)  # 5 % + 3 % + 10.00, not 9 %
    statement = (await client.get(f"/api/orders/{order.id}/statement", headers=seller.headers)).json()
    assert statement["fee_schedule_id"] == old
    assert statement["platform_fee"] == "1110.00"
    assert statement["seller_net"] == "28890.00"


async def test_two_admins_saving_a_version_at_once_never_make_a_server_error(
    db: async_sessionmaker[AsyncSession],
) -> None:
    start = _window()
    results = await asyncio.gather(
        _add(db, "apparel/garments", _flat("3"), start), _add(db, "apparel/garments", _flat("4"), start),
        return_exceptions=True,
    )  # fmt: skip
    made = [r for r in results if isinstance(r, int)]
    assert made
    assert all(isinstance(r, int) or (isinstance(r, Conflict) and r.code == "fee_version_taken") for r in results)
    async with db() as session:
        versions = [(await session.get(FeeScheduleVersion, i)).version for i in made]  # type: ignore[union-attr]
    assert len(set(versions)) == len(versions)
