"""What makes a lot trustworthy to a buyer: its photo on the card and on top of the lot page (a preview
made on upload), the seller's name, verification and profile, and text that wraps instead of widening."""

from __future__ import annotations

import html
import io
import re
import uuid

from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image

from tests.conftest import OrgFactory
from tests.support.catalogue import body, post_lot, publish, unique_place
from tests.support.pages import PageSession


def _photo(width: int = 2400, height: int = 1800) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (180, 40, 40)).save(out, "JPEG", quality=95)
    return out.getvalue()


async def _upload_photo(client: AsyncTestClient[Litestar], seller: object, lot_id: int, content: bytes) -> int:
    answer = await client.post(
        f"/api/lots/{lot_id}/documents",
        files={"file": ("roll.jpg", content, "image/jpeg")},
        data={"kind": "photo"},
        headers=seller.headers,  # type: ignore[attr-defined]
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


async def test_a_photo_gets_a_small_preview_shown_on_the_card_and_on_top_of_the_lot_page(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller, buyer, outsider = await make_org("seller"), await make_org("buyer"), await make_org("buyer")
    place = unique_place()
    photo = _photo()
    with_photo = await post_lot(client, seller, body(city=place, title="Poplin with photo"))
    document_id = await _upload_photo(client, seller, with_photo["id"], photo)
    await publish(client, seller, with_photo["id"])
    await publish(client, seller, (await post_lot(client, seller, body(city=place, title="Poplin bare")))["id"])

    preview = await client.get(f"/lots/{with_photo['id']}/files/{document_id}/preview")
    assert preview.status_code == 200
    assert preview.headers["content-type"] == "image/jpeg"
    assert len(preview.content) < len(photo) / 4
    with Image.open(io.BytesIO(preview.content)) as shown:
        assert max(shown.size) <= 640

    cards = (await client.get(f"/lots?location={place}")).text
    assert f'src="/lots/{with_photo["id"]}/files/{document_id}/preview"' in cards
    assert cards.count('data-testid="lot-card"') == 2
    assert "No photo yet" in cards

    page = (await client.get(f"/lots/{with_photo['id']}")).text
    gallery = page.index('data-testid="lot-photos"')
    assert gallery < page.index('data-testid="spec-table"')
    assert f"/files/{document_id}/preview" in page[gallery : gallery + 600]

    private = await post_lot(client, seller, body(visibility="private", invited_org_ids=[buyer.org_id]))
    hidden_id = await _upload_photo(client, seller, private["id"], photo)
    await publish(client, seller, private["id"])
    url = f"/lots/{private['id']}/files/{hidden_id}/preview"
    assert (await client.get(url)).status_code == 404
    for who, status in ((outsider, 404), (buyer, 200)):
        pages = PageSession(client)
        await pages.sign_in(who)
        try:
            assert (await pages.get(url)).status_code == status
        finally:
            pages.close()


async def test_a_file_pillow_cannot_read_is_kept_and_shown_as_it_is(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    lot = await post_lot(client, seller, body())
    odd = b"\xff\xd8\xff" + b"\x00" * 200
    document_id = await _upload_photo(client, seller, lot["id"], odd)
    await publish(client, seller, lot["id"])
    preview = await client.get(f"/lots/{lot['id']}/files/{document_id}/preview")
    assert (preview.status_code, preview.content) == (200, odd)


async def test_the_lot_page_names_a_verified_seller_whose_profile_shows_its_record(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    name = f"Jiangsu Hengli {uuid.uuid4().hex[:6]}"
    seller, buyer = await make_org("seller", name=name), await make_org("buyer")
    live = await publish(client, seller, (await post_lot(client, seller, body(title="Live poplin")))["id"])
    sold = await publish(client, seller, (await post_lot(client, seller, body(title="Sold poplin")))["id"])
    bought = await client.post(
        f"/api/lots/{sold['id']}/purchase", headers={**buyer.headers, "Idempotency-Key": uuid.uuid4().hex}
    )
    assert bought.status_code in (200, 201), bought.text
    await post_lot(client, seller, body(title="Draft poplin"))
    hidden = await post_lot(client, seller, body(title="Hidden poplin", visibility="private", invited_org_ids=[]))
    await publish(client, seller, hidden["id"])

    page = html.unescape((await client.get(f"/lots/{live['id']}")).text)
    line = re.search(r'data-testid="lot-seller">(.*?)</span>\s*</span>', page, re.S)
    assert line
    assert f'href="/sellers/{seller.org_id}">{name}</a>' in line.group(1)
    assert "verified" in line.group(1)

    profile = html.unescape((await client.get(f"/sellers/{seller.org_id}")).text)
    assert name in profile
    assert 'data-testid="seller-verified"' in profile
    assert re.search(r'data-testid="lots-listed">2<', profile)
    assert re.search(r'data-testid="lots-sold">1<', profile)
    assert "Fabric" in profile
    assert "Live poplin" in profile
    assert "Draft poplin" not in profile
    assert "Hidden poplin" not in profile
    assert (await client.get(f"/sellers/{buyer.org_id}")).status_code == 404
    assert (await client.get("/sellers/999999999")).status_code == 404


async def test_long_text_without_spaces_wraps_on_the_lot_page(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    note = "scratch" * 700
    lot = await publish(client, seller, (await post_lot(client, seller, body(grade="B", defects=note)))["id"])
    page = (await client.get(f"/lots/{lot['id']}")).text
    assert re.search(r'<p class="user-text" data-testid="lot-defects">' + note, page)
    css = (await client.get("/static/css/app.css")).text
    assert ".user-text, .user-text * { overflow-wrap: anywhere; }" in css
