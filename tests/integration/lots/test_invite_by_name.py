"""Private lots by name: sellers find verified buyers by name, invitees are named, told, and see the lot."""

from __future__ import annotations

import html
import re
import uuid

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import OrgFactory
from tests.integration.lots.test_pages import FABRIC_FORM
from tests.support.catalogue import body, post_lot, publish
from tests.support.pages import PageSession


async def test_the_api_finds_verified_buyers_by_part_of_their_name_for_sellers_only(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    tag = uuid.uuid4().hex[:6]
    seller = await make_org("seller")
    found = await make_org("buyer", name=f"Tianjin Procurement {tag}")
    broker = await make_org("broker", name=f"Gifts for Tianjin {tag}")
    await make_org("buyer", verified=False, name=f"Tianjin Unverified {tag}")
    await make_org("seller", name=f"Tianjin Seller {tag}")

    answer = await client.get("/api/orgs/buyers", params={"q": f"tianjin PROCUREMENT {tag}"}, headers=seller.headers)
    assert answer.status_code == 200
    assert answer.json() == [{"id": found.org_id, "name": f"Tianjin Procurement {tag}", "kind": "buyer"}]
    both = (await client.get("/api/orgs/buyers", params={"q": tag}, headers=seller.headers)).json()
    assert [org["id"] for org in both] == [broker.org_id, found.org_id]
    assert (await client.get("/api/orgs/buyers", params={"q": "T"}, headers=seller.headers)).json() == []
    wildcard = await client.get("/api/orgs/buyers", params={"q": "%%"}, headers=seller.headers)
    assert wildcard.json() == []
    refused = await client.get("/api/orgs/buyers", params={"q": tag}, headers=found.headers)
    assert refused.status_code == 403


async def test_the_picker_lists_matching_buyers_by_name_with_htmx_and_without_javascript(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    tag = uuid.uuid4().hex[:6]
    seller, buyer = await make_org("seller"), await make_org("buyer", name=f"Tianjin Procurement {tag}")
    pages = PageSession(client)
    await pages.sign_in(seller)
    try:
        partial = await pages.get(f"/lots/invite-picker?invite_q=procurement+{tag}")
        assert partial.status_code == 200
        assert f'value="{buyer.org_id}"' in partial.text
        assert f"Tianjin Procurement {tag}" in partial.text
        assert "<html" not in partial.text
        nothing = html.unescape((await pages.get("/lots/invite-picker?invite_q=zzqx-nobody")).text)
        assert "No verified buyer organisation has “zzqx-nobody” in its name." in nothing

        # Without JavaScript the Find button posts the whole form back: what was typed stays.
        found = await pages.post(
            "/lots/new", {**FABRIC_FORM, "visibility": "private", "invite_q": tag, "refresh": "invite"}
        )
        assert found.status_code == 200
        assert f"Tianjin Procurement {tag}" in found.text
        assert f'value="{FABRIC_FORM["title"]}"' in found.text
    finally:
        pages.close()


async def test_a_private_lot_invites_by_ticked_names_shows_them_and_tells_the_invited_buyers(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    tag = uuid.uuid4().hex[:6]
    seller = await make_org("seller")
    first = await make_org("buyer", name=f"Tianjin Procurement {tag}")
    second = await make_org("broker", name=f"Beijing Gifts {tag}")
    outsider = await make_org("buyer")
    pages = PageSession(client)
    await pages.sign_in(seller)
    try:
        form = {**FABRIC_FORM, "visibility": "private", "invited_org_ids": [str(first.org_id), str(second.org_id)]}
        created = await pages.post("/lots/new", form)
        assert created.status_code == 303, created.text
        lot_id = int(created.headers["location"].rsplit("/", 1)[1])
        page = html.unescape((await pages.get(f"/lots/{lot_id}")).text)
        named = re.search(r'data-testid="invited-orgs">([^<]*)<', page)
        assert named
        assert named.group(1).strip() == f"Invited organisations: Beijing Gifts {tag}, Tianjin Procurement {tag}"
        edit = (await pages.get(f"/lots/{lot_id}/edit")).text
        assert re.search(rf'value="{first.org_id}" checked> Tianjin Procurement {tag}', edit)
        bad = await pages.post(f"/lots/{lot_id}/edit", {**form, "invited_org_ids": ["Tianjin Procurement"]})
        assert bad.status_code == 422
        assert "Choose the organisations to invite from the list." in html.unescape(bad.text)
    finally:
        pages.close()

    await publish(client, seller, lot_id)
    for invited in (first, second):
        notes = (await client.get("/api/notifications", headers=invited.headers)).json()["items"]
        told = [note for note in notes if note["kind"] == "lot_invitation"]
        assert [note["link"] for note in told] == [f"/lots/{lot_id}"]
        assert FABRIC_FORM["title"] in told[0]["title"]
    assert not [
        note
        for note in (await client.get("/api/notifications", headers=outsider.headers)).json()["items"]
        if note["kind"] == "lot_invitation"
    ]

    buyer_pages = PageSession(client)
    await buyer_pages.sign_in(first)
    try:
        dashboard = (await buyer_pages.get("/dashboard")).text
        assert f'href="/lots/{lot_id}"' in dashboard
        assert "Private lots you are invited to" in dashboard
    finally:
        buyer_pages.close()
    outsider_pages = PageSession(client)
    await outsider_pages.sign_in(outsider)
    try:
        assert f'href="/lots/{lot_id}"' not in (await outsider_pages.get("/dashboard")).text
        assert (await outsider_pages.get(f"/lots/{lot_id}")).status_code == 404
    finally:
        outsider_pages.close()


async def test_a_buyer_invited_to_a_live_lot_is_told_at_once(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller, early, late = await make_org("seller"), await make_org("buyer"), await make_org("buyer")
    lot = await post_lot(client, seller, body(visibility="private", invited_org_ids=[early.org_id]))
    await publish(client, seller, lot["id"])
    invited = await client.post(
        f"/api/lots/{lot['id']}/invitations", json={"org_ids": [early.org_id, late.org_id]}, headers=seller.headers
    )
    assert invited.status_code in (200, 201), invited.text
    for buyer, times in ((early, 1), (late, 1)):
        notes = (await client.get("/api/notifications", headers=buyer.headers)).json()["items"]
        assert [n["link"] for n in notes if n["kind"] == "lot_invitation"] == [f"/lots/{lot['id']}"] * times
