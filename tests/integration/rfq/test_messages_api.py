from __future__ import annotations

import base64

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import OrgFactory
from tests.support.rfq import new_deal

# A 1x1 transparent PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


async def test_the_two_parties_exchange_messages_with_links_and_photos_and_nobody_else_reads_them(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await new_deal(client, db, make_org)
    thread_id = (await deal.open_rfq())["id"]
    posted = await client.post(
        f"/api/rfqs/{thread_id}/messages",
        json={
            "body": "Inspection video of the roll ends",
            "links": [{"url": "https://video.example/inspect/42", "name": "Roll ends", "kind": "video"}],
        },
        headers=deal.seller.headers,
    )
    assert posted.status_code == 201, posted.text
    assert posted.json()["author_side"] == "seller"
    assert posted.json()["attachments"][0]["url"] == "https://video.example/inspect/42"

    photo = await client.post(
        f"/api/rfqs/{thread_id}/messages/upload",
        files={"file": ("defect.png", PNG, "image/png")},
        data={"body": "Close-up of the stain"},
        headers=deal.buyer.headers,
    )
    assert photo.status_code == 201, photo.text
    attachment = photo.json()["attachments"][0]
    assert (attachment["kind"], attachment["name"], attachment["content_type"]) == ("photo", "defect.png", "image/png")

    listed = await client.get(f"/api/rfqs/{thread_id}/messages", headers=deal.buyer.headers)
    assert [m["body"] for m in listed.json()["items"]] == ["Inspection video of the roll ends", "Close-up of the stain"]
    download = await client.get(attachment["url"], headers=deal.seller.headers)
    assert download.status_code == 200
    assert download.content == PNG

    outsider = await make_org("buyer")
    assert (await client.get(attachment["url"], headers=outsider.headers)).status_code == 404
    assert (await client.get(f"/api/rfqs/{thread_id}/messages", headers=outsider.headers)).status_code == 404
    notes = (await client.get("/api/notifications", headers=deal.buyer.headers)).json()["items"]
    assert any(n["kind"] == "rfq_message" for n in notes)


async def test_bad_messages_are_refused_and_store_nothing(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    deal = await new_deal(client, db, make_org)
    thread_id = (await deal.open_rfq())["id"]
    url = f"/api/rfqs/{thread_id}/messages"
    empty = await client.post(url, json={"body": "   "}, headers=deal.buyer.headers)
    assert (empty.status_code, empty.json()["field"]) == (422, "body")
    script = await client.post(
        url, json={"body": "see", "links": [{"url": "javascript:alert(1)"}]}, headers=deal.buyer.headers
    )
    assert (script.status_code, script.json()["field"]) == (422, "links[0].url")
    fake_photo = await client.post(
        f"{url}/upload",
        files={"file": ("evil.png", b"<script>alert(1)</script>", "image/png")},
        headers=deal.buyer.headers,
    )
    assert (fake_photo.status_code, fake_photo.json()["field"]) == (422, "file")
    no_file = await client.post(f"{url}/upload", data={"body": "x"}, headers=deal.buyer.headers)
    assert 400 <= no_file.status_code < 500
    assert (await client.get(url, headers=deal.buyer.headers)).json()["items"] == []
