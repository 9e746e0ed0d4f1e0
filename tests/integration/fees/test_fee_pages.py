"""The admin's fee schedule page: list, add a version (with and without HTMX), errors next to their field."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import Actor, OrgFactory
from tests.support.pages import PageSession


def _later() -> str:
    when = datetime.now(UTC) + timedelta(days=3650 + random.randrange(10**4))
    return when.strftime("%Y-%m-%dT%H:%M")


async def test_an_admin_adds_a_version_on_the_page(client: AsyncTestClient[Litestar], admin: Actor) -> None:
    page = PageSession(client)
    await page.sign_in(admin)
    try:
        form = {
            "category": "gifts/household",
            "tier_up_to_0": "5000.00",
            "tier_percent_0": "6",
            "tier_percent_1": "4.5",
            "fixed_fee": "20.00",
            "broker_percent": "1.5",
            "effective_from": _later(),
        }
        saved = await page.post("/admin/fee-schedules", form)
        assert saved.status_code == 303
        shown = await page.get("/admin/fee-schedules")
        assert shown.status_code == 200
        assert "6 % up to 5,000.00 CNY; 4.5 % above" in shown.text
        bad = await page.post("/admin/fee-schedules", {**form, "tier_percent_1": "120"}, htmx=True)
        assert bad.status_code == 200
        assert 'id="tier_percent_1-error"' in bad.text
        assert "between 0 and 100" in bad.text
        plain = await page.post("/admin/fee-schedules", {**form, "tier_up_to_0": "", "tier_percent_1": "3"})
        assert plain.status_code == 422
        assert 'id="tier_up_to_0-error"' in plain.text
    finally:
        page.close()


async def test_the_page_is_for_admins_only(client: AsyncTestClient[Litestar], make_org: OrgFactory) -> None:
    page = PageSession(client)
    await page.sign_in(await make_org("seller"))
    try:
        assert (await page.get("/admin/fee-schedules")).status_code == 403
    finally:
        page.close()
