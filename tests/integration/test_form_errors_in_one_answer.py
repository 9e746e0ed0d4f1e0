"""A page form answers every problem at once: the fields that do not read (a missing name, a sample count of 0)
and the service's own checks of the others (a short password, a date in the past) show in the same answer, each
under its field, in the page's language; the input is kept."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import OrgFactory
from tests.support.pages import PageSession
from tests.support.rfq import new_deal

FIELD_ERROR = re.compile(r'<p class="field-error" id="([^"]+)-error">(.*?)</p>', re.S)
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
PAST = (date.today() - timedelta(days=3)).isoformat()


def _errors(html: str) -> dict[str, str]:
    """{input id: its message} of every field message on the page."""
    return {name: " ".join(text.split()) for name, text in FIELD_ERROR.findall(html)}


@pytest.fixture
def pages(client: AsyncTestClient[Litestar]) -> Iterator[PageSession]:
    session = PageSession(client)
    yield session
    session.close()


async def test_registration_shows_a_missing_name_and_a_short_password_and_a_bad_email_together(
    client: AsyncTestClient[Litestar],
) -> None:
    client.cookies.clear()
    await client.get("/register")
    csrf = client.cookies.get("sx_csrf") or ""
    form = {"name": "", "email": "not-an-address", "password": "short", "org_name": "Huadong Textiles",
            "org_kind": "buyer", "_csrf_token": csrf}  # fmt: skip
    refused = await client.post("/register", data=form)
    client.cookies.clear()
    assert refused.status_code == 422
    errors = _errors(refused.text)
    assert errors["name"] == "Fill in this field."  # the form's own check
    assert errors["email"] == "Enter a valid email address, like name@company.com."  # the service's checks
    assert errors["password"] == "Use at least 10 characters."
    assert 'value="Huadong Textiles"' in refused.text


async def test_a_wanted_request_shows_a_short_title_a_past_date_a_bad_unit_and_a_spec_that_is_no_number_in_chinese(
    client: AsyncTestClient[Litestar], make_org: OrgFactory, pages: PageSession
) -> None:
    await pages.sign_in(await make_org("buyer"))
    form = {"title": "ab", "category": "textiles/fabric", "quantity_value": "4000", "quantity_unit": "parsecs",
            "deadline": PAST, "spec.width.gte": "wide"}  # fmt: skip
    refused = await pages.post("/wanted/new", form, headers=ZH)
    assert refused.status_code == 422
    errors = _errors(refused.text)
    assert set(errors) >= {"title", "deadline", "quantity_unit", "spec-width-gte"}, errors
    assert errors["title"] == "请至少输入 3 个字符。"
    assert errors["deadline"] == "截止日期不能早于今天。"
    assert errors["spec-width-gte"] == "幅宽需要填写数字。"  # a message with the spec's label, in Chinese
    assert 'value="wide"' in refused.text
    english = await pages.post("/wanted/new", form)
    assert _errors(english.text)["spec-width-gte"] == "Width needs a number."


async def test_an_rfq_shows_a_bad_sample_count_a_bad_price_and_a_past_delivery_date_together(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, pages: PageSession
) -> None:
    deal = await new_deal(client, db, make_org)
    await pages.sign_in(deal.buyer)
    form = {"lot_id": str(deal.lot_id), "price": "a lot", "delivery_by": PAST, "sample_units": "0"}
    refused = await pages.post("/rfqs/new", form)
    assert refused.status_code == 422
    errors = _errors(refused.text)
    assert errors["sample_units"] == "Enter 1 or more."
    assert errors["delivery_by"] == "The delivery date cannot be in the past."
    assert "price" in errors
    assert 'value="a lot"' in refused.text


async def test_a_desk_request_shows_a_missing_region_a_bad_budget_a_past_date_and_a_wrong_unit_together(
    client: AsyncTestClient[Litestar], make_org: OrgFactory, pages: PageSession
) -> None:
    buyer = await make_org("buyer")
    await pages.sign_in(await make_org("broker"))
    form = {"client_org_id": str(buyer.org_id), "purpose": "welfare", "quantity_value": "3000",
            "quantity_unit": "m", "budget_max": "cheap", "currency": "CNY", "category": "textiles/fabric",
            "deliver_by": PAST, "region": "", "g0.spec.width.gte": "3 kg"}  # fmt: skip
    refused = await pages.post("/desk/requests/new", form)
    assert refused.status_code == 422
    errors = _errors(refused.text)
    assert errors["region"] == "Fill in this field."
    assert errors["deliver_by"] == "The delivery date is in the past."
    assert "budget_per_unit-max" in errors
    assert "is a unit of mass" in errors["g0-spec-width-gte"]
    assert 'value="cheap"' in refused.text
    # Choosing another category brings its labelled fields, with units, for each option.
    fields = (await pages.get("/desk/requests/new/spec-fields?category=textiles/fabric")).text
    assert 'name="g1.spec.width.gte"' in fields
    assert "Width at least (cm)" in fields
