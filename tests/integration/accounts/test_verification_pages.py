"""Verification on the pages: sign up with the business details, the admin rejects, the org corrects, verified."""

from __future__ import annotations

import html
import re
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.accounts.models import User
from tests.conftest import DEMO_PASSWORD, Actor, OrgFactory, unique_email
from tests.support.kyb import LICENCE_PDF, licence_files, sign_up_details
from tests.support.pages import PageSession


async def _sign_up(client: AsyncTestClient[Litestar], fields: dict[str, str], **files: Any) -> Any:
    client.cookies.clear()
    form = await client.get("/register")
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
    assert csrf
    return await client.post(
        "/register", data={**fields, "_csrf_token": csrf.group(1)}, follow_redirects=False, **files
    )


def _person(email: str, org_name: str) -> dict[str, str]:
    return {"name": "Wu Gang", "email": email, "password": DEMO_PASSWORD, "org_name": org_name, "org_kind": "buyer"}


async def test_the_sign_up_page_asks_for_the_business_and_shows_every_missing_piece_at_once(
    client: AsyncTestClient[Litestar],
) -> None:
    page = await client.get("/register")
    for field in ("legal_name", "uscc", "address", "contact", "licence"):
        assert f'name="{field}"' in page.text
    assert 'enctype="multipart/form-data"' in page.text

    email = unique_email("kyb")
    answer = await _sign_up(client, {**_person(email, "Tianjin Procurement"), "legal_name": "Tianjin Procurement Ltd"})
    assert answer.status_code == 422
    text = html.unescape(answer.text)
    assert "The Unified Social Credit Code needs visible text." in text
    assert "The registered address needs visible text." in text
    assert "Upload your business licence" in text
    assert 'value="Tianjin Procurement Ltd"' in text
    assert f'value="{email}"' in text
    assert DEMO_PASSWORD not in text
    client.cookies.clear()


async def test_a_mistyped_code_is_explained_next_to_its_field_with_the_input_kept(
    client: AsyncTestClient[Litestar],
) -> None:
    details = {**sign_up_details("Tianjin"), "uscc": "91350100M000100Y44"}
    answer = await _sign_up(client, {**_person(unique_email(), "Tianjin"), **details}, files=licence_files())
    assert answer.status_code == 422
    text = html.unescape(answer.text)
    assert re.search(r'id="uscc-error">The last character of this code does not match', text)
    assert 'value="91350100M000100Y44"' in text
    assert "Choose the file again" in text
    wrong_file = await _sign_up(
        client,
        {**_person(unique_email(), "Tianjin"), **sign_up_details("Tianjin")},
        files=licence_files(b"GIF89a not a licence", "licence.gif"),
    )
    assert wrong_file.status_code == 422
    assert "This file type is not accepted here" in html.unescape(wrong_file.text)
    client.cookies.clear()


async def test_sign_up_then_rejected_then_corrected_then_verified_on_the_pages(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], admin: Actor, make_org: OrgFactory
) -> None:
    email = unique_email("kyb")
    details = sign_up_details("Tianjin")
    signed_up = await _sign_up(client, {**_person(email, "Tianjin Buying"), **details}, files=licence_files())
    assert signed_up.status_code == 303, signed_up.text
    async with db() as session:
        user = await session.scalar(select(User).where(User.email == email))
    assert user is not None
    assert user.org_id is not None
    applicant = Actor(user.id, user.org_id, email, "", "buyer")
    org_page = f"/admin/orgs/{user.org_id}"

    desk = PageSession(client)
    await desk.sign_in(admin)
    listed = await desk.get("/admin/orgs")
    assert f'href="{org_page}"' in listed.text
    shown = html.unescape((await desk.get(org_page)).text)
    for value in (details["legal_name"], details["uscc"], details["address"], details["contact"], "licence.pdf"):
        assert value in shown
    assert (await desk.get(f"{org_page}/licence")).content == LICENCE_PDF
    blank = await desk.post(f"{org_page}/reject", {"reason": " "})
    assert blank.status_code == 422
    assert "The reason needs visible text." in html.unescape(blank.text)
    reason = "The address on the licence is in Binhai, not Heping district."
    assert (await desk.post(f"{org_page}/reject", {"reason": reason})).status_code == 303
    desk.close()

    org = PageSession(client)
    await org.sign_in(applicant)
    told = html.unescape((await org.get("/verification")).text)
    assert reason in told
    assert 'value="' + details["legal_name"] + '"' in told
    bad = await org.post("/verification", {**details, "address": ""})
    assert bad.status_code == 422
    assert "The registered address needs visible text." in html.unescape(bad.text)
    corrected = {**details, "address": "1 Binhai Road, Binhai New Area, Tianjin"}
    assert (await org.post("/verification", corrected)).status_code == 303
    assert "Waiting for an administrator" in (await org.get("/verification")).text
    other = await make_org("buyer")
    org.close()

    desk = PageSession(client)
    await desk.sign_in(admin)
    assert "1 Binhai Road" in (await desk.get(org_page)).text
    assert (await desk.post(f"{org_page}/verify")).status_code == 303
    assert "verified" in (await desk.get(org_page)).text
    desk.close()

    outsider = PageSession(client)
    await outsider.sign_in(other)
    assert (await outsider.get(org_page)).status_code == 403
    assert (await outsider.get(f"{org_page}/licence")).status_code == 403
    outsider.close()


async def test_the_admin_cannot_verify_an_org_that_gave_no_details(
    client: AsyncTestClient[Litestar], admin: Actor
) -> None:
    registered = await client.post(
        "/api/auth/register",
        json={
            "email": unique_email(),
            "password": DEMO_PASSWORD,
            "name": "Wu Gang",
            "org": {"name": "Bare Co", "kind": "buyer"},
        },
    )
    org_id = registered.json()["org"]["id"]
    desk = PageSession(client)
    await desk.sign_in(admin)
    page = html.unescape((await desk.get(f"/admin/orgs/{org_id}")).text)
    assert "cannot be verified" in page
    refused = await desk.post(f"/admin/orgs/{org_id}/verify")
    assert refused.status_code == 303
    assert "has not given its legal name" in html.unescape((await desk.get(refused.headers["location"])).text)
    desk.close()
