"""The brokers' desk on the pages (no JavaScript needed): request form, matches with explanations and
near misses, bundles, the proposal builder, sending; the client's page, accepting; the pipeline."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import OrgFactory
from tests.support.desk import GRADE_C, new_desk
from tests.support.pages import PageSession
from tests.support.rfq import count_orders


@pytest.fixture
def pages(client: AsyncTestClient[Litestar]) -> Iterator[PageSession]:
    session = PageSession(client)
    yield session
    session.close()


async def test_a_broker_builds_and_sends_a_proposal_from_a_bundle_and_the_client_accepts_it(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, pages: PageSession
) -> None:
    desk = await new_desk(client, db, make_org)
    first = await desk.lot(metres=2000, price_minor=1_400_000, **GRADE_C)
    second = await desk.lot(metres=1100, price_minor=880_000, **GRADE_C)
    dear = await desk.lot(price_minor=5_600_000, **GRADE_C)
    await pages.sign_in(desk.broker)
    assert 'href="/desk"' in (await pages.get("/dashboard")).text
    form = await pages.get("/desk/requests/new")
    assert form.status_code == 200
    fields = {
        "client_org_id": str(desk.buyer.org_id),
        "purpose": "welfare",
        "quantity_value": "3000",
        "quantity_unit": "m",
        "budget_max": "10.00",
        "currency": "CNY",
        "category": "textiles/fabric",
        "deliver_by": (date.today() + timedelta(days=20)).isoformat(),
        "region": "Jiangsu",
        "grades": "C",
        "g0.spec.colour": desk.colour,
        "g0.spec.width.gte": "1.4 m",
    }
    wrong = await pages.post("/desk/requests/new", {**fields, "g0.spec.width.gte": "3 kg"})
    assert wrong.status_code == 422
    assert re.search(r'id="g0-spec-width-gte-error">[^<]*is a unit of mass', wrong.text), wrong.text  # under it
    assert 'value="3 kg"' in wrong.text
    made = await pages.post("/desk/requests/new", fields)
    assert made.status_code == 303, made.text
    request_url = made.headers["location"]
    page = await pages.get(request_url)
    assert page.status_code == 200
    assert "12 % over budget" in page.text
    assert f'value="{dear}"' in page.text
    assert "No lot meets every requirement" in page.text  # 3000 m: only bundles cover it
    bundles = await pages.get(request_url + "/bundles")
    assert bundles.status_code == 200
    assert "Best bundle: 22,800.00 CNY" in bundles.text, re.sub(r"\s+", " ", bundles.text)[-2500:]
    assert "the cheapest cover (proven optimal)" in bundles.text
    chinese = await pages.get(request_url + "/bundles", headers={"Accept-Language": "zh-CN"})
    assert "最佳组合" in chinese.text or "¥22,800.00" in chinese.text
    assert "已证明最优" in chinese.text
    assert "proven optimal" not in chinese.text
    build = re.search(r'href="(/desk/requests/\d+/proposal\?[^"]+)"', bundles.text)
    assert build is not None
    builder = await pages.get(build.group(1).replace("&amp;", "&"))
    assert builder.status_code == 200
    assert "14,000.00" in builder.text
    assert "8,800.00" in builder.text
    lots_value = f"{first},{second}" if f'value="{first},{second}"' in builder.text else f"{second},{first}"
    action = build.group(1).split("?")[0]
    preview = await pages.post(
        action, {"lots": lots_value, f"price_{first}": "15000.00", f"price_{second}": "9800.00", "action": "preview"}
    )
    assert preview.status_code == 200
    assert '<td class="num" data-testid="total-margin">2,000.00</td>' in preview.text
    created = await pages.post(
        action,
        {
            "lots": lots_value,
            f"price_{first}": "15000.00",
            f"price_{second}": "9800.00",
            "action": "create",
            "send": "1",
            "note": "Two lots of the same twill.",
            "valid_until": (date.today() + timedelta(days=5)).isoformat(),
        },
    )
    assert created.status_code == 303, created.text
    proposal_url = created.headers["location"]
    broker_page = await pages.get(proposal_url)
    assert "Your cost" in broker_page.text
    assert "2,000.00" in broker_page.text

    await pages.sign_in(desk.buyer)
    client_page = await pages.get(proposal_url)
    assert client_page.status_code == 200
    assert "24,800.00" in client_page.text
    for secret in ("Your cost", "Margin", "Commission", "14,000.00", "8,800.00", "2,000.00"):
        assert secret not in client_page.text
    key = re.search(r'name="idempotency_key" value="(\w+)"', client_page.text)
    assert key is not None
    assert 'data-confirm="Accept this proposal of 2 lots 24,800.00 CNY?' in client_page.text
    asked = await pages.post(proposal_url + "/accept", {"idempotency_key": key.group(1)})  # without JavaScript
    assert asked.status_code == 200, asked.text
    assert "Accept this proposal of 2 lots?" in asked.text
    assert 'data-testid="confirm-amount">24,800.00 CNY' in asked.text
    assert "All or nothing" in asked.text
    assert "15,000.00 CNY" in asked.text
    assert "9,800.00 CNY" in asked.text
    for secret in ("Your cost", "Margin", "Commission", "14,000.00", "8,800.00", "2,000.00"):
        assert secret not in asked.text
    assert f'name="idempotency_key" value="{key.group(1)}"' in asked.text
    assert await count_orders(db, first) == 0
    accepted = await pages.post(proposal_url + "/accept", {"idempotency_key": key.group(1), "confirmed": "yes"})
    assert accepted.status_code == 303, accepted.text
    assert await count_orders(db, first) == 1
    assert await count_orders(db, second) == 1
    after = await pages.get(proposal_url)
    assert "order #" in after.text
    assert "Margin" not in after.text
    listed = await pages.get("/proposals")
    assert proposal_url in listed.text

    await pages.sign_in(desk.broker)
    pipeline = await pages.get("/desk")
    assert pipeline.status_code == 200
    assert "1 accepted" in pipeline.text
    assert "Commission earned: 2,456.00 CNY" in pipeline.text  # 2000.00 margin + 2 % of 22800.00 cost
