"""The seller records a shipment with photos of the goods as packed: through the API (photos uploaded as the order's
evidence, then named in `photo_ids`) and through the ship form (files attached, no JS). Photos of another order
are refused; a refused shipment stores nothing."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import OrgFactory
from tests.support.orders import SHIPMENT, new_sale
from tests.support.pages import PageSession

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\x1c\xa1\x00\x00\x00\x00IEND\xaeB`\x82"
)


async def test_shipment_photos_through_the_api_must_be_the_orders_own(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    sale = await new_sale(client, db, make_org)
    other = await new_sale(client, db, make_org)
    await sale.pay()
    elsewhere = await client.post(
        f"/api/orders/{other.order_id}/evidence",
        files={"file": ("x.png", PNG, "image/png")},
        headers=other.seller.headers,
    )
    assert elsewhere.status_code == 201, elsewhere.text
    refused = await sale.act("ship", sale.seller, {**SHIPMENT, "photo_ids": [elsewhere.json()["id"]]})
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "photo_ids"
    assert (await sale.get())["status"] == "paid"

    photo = await client.post(
        f"/api/orders/{sale.order_id}/evidence",
        files={"file": ("packed.png", PNG, "image/png")},
        headers=sale.seller.headers,
    )
    assert photo.status_code == 201, photo.text
    shipped = await sale.act("ship", sale.seller, {**SHIPMENT, "photo_ids": [photo.json()["id"]]})
    assert shipped.status_code == 200, shipped.text
    assert shipped.json()["shipment"]["photo_ids"] == [photo.json()["id"]]
    seen = await client.get(f"/api/orders/{sale.order_id}/evidence/{photo.json()['id']}", headers=sale.buyer.headers)
    assert (seen.status_code, seen.content) == (200, PNG)


async def test_the_ship_form_takes_photos_and_the_order_page_shows_them(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    sale = await new_sale(client, db, make_org)
    await sale.pay()
    url = f"/orders/{sale.order_id}"
    fields = {"carrier": "SF Express", "tracking_number": "SF99", "packages": "3", "weight": "80 kg"}
    page = PageSession(client)
    try:
        await page.sign_in(sale.seller)
        assert 'name="photos"' in (await page.get(url)).text
        bad = await page.post(f"{url}/ship", fields, files=[("photos", ("notes.txt", b"just text", "text/plain"))])
        assert bad.status_code == 422
        assert 'value="SF99"' in bad.text  # what was typed is kept
        assert (await sale.get())["status"] == "paid"  # nothing was shipped or stored

        files = [("photos", ("front.png", PNG, "image/png")), ("photos", ("side.png", PNG, "image/png"))]
        shipped = await page.post(f"{url}/ship", fields, files=files)
        assert (shipped.status_code, shipped.headers["location"]) == (303, url)
        shown = (await page.get(url)).text
        assert "Shipment recorded (SF Express, SF99, 2 photos)" in shown
        assert 'data-testid="shipment-photos"' in shown
        order = await sale.get()
        assert order["status"] == "shipped"
        assert len(order["shipment"]["photo_ids"]) == 2
        await page.sign_in(sale.buyer)
        first = await page.get(f"{url}/evidence/{order['shipment']['photo_ids'][0]}")
        assert (first.status_code, first.content) == (200, PNG)
    finally:
        page.close()
