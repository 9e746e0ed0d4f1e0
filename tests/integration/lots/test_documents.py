from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import OrgFactory
from tests.support.catalogue import FABRIC, body, post_lot, publish

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n"
MB = 1024 * 1024


async def test_photos_and_documents_are_stored_and_served_to_whoever_sees_the_lot(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller, buyer, outsider = await make_org("seller"), await make_org("buyer"), await make_org("buyer")
    draft = await post_lot(client, seller, body(visibility="private", invited_org_ids=[buyer.org_id]))

    photo = await client.post(
        f"/api/lots/{draft['id']}/documents",
        files={"file": ("../../etc/roll.png", PNG, "image/png")},
        data={"kind": "photo"},
        headers=seller.headers,
    )
    assert photo.status_code == 201, photo.text
    assert photo.json()["filename"] == "roll.png"
    assert photo.json()["content_type"] == "image/png"
    await publish(client, seller, draft["id"])

    served = await client.get(photo.json()["url"], headers=buyer.headers)
    assert served.status_code == 200
    assert served.content == PNG
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert (await client.get(photo.json()["url"], headers=outsider.headers)).status_code == 404
    assert (await client.get(photo.json()["url"])).status_code == 404


async def test_uploads_are_checked_by_their_real_type_and_size_per_kind(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller, other = await make_org("seller"), await make_org("seller")
    lot_id = (await post_lot(client, seller, FABRIC))["id"]
    url = f"/api/lots/{lot_id}/documents"

    async def upload(name: str, content: bytes, kind: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        response = await client.post(
            url,
            files={"file": (name, content, "application/pdf")},
            data={"kind": kind},
            headers=headers or seller.headers,
        )
        return response.status_code, response.json().get("field", "") if response.status_code >= 400 else ""

    assert await upload("evil.pdf", b"<script>alert(1)</script>", "certificate") == (422, "file")
    assert await upload("report.pdf", PDF, "photo") == (422, "file")
    assert await upload("empty.pdf", b"", "certificate") == (422, "file")
    assert await upload("report.pdf", PDF, "selfie") == (422, "kind")
    assert await upload("big.png", PNG + b"\x00" * (5 * MB), "photo") == (413, "file")
    assert (await upload("huge.pdf", PDF + b"\x00" * (12 * MB), "certificate"))[0] == 413
    assert (await upload("report.pdf", PDF, "quality_report", other.headers))[0] == 404
    assert await upload("scan.png", PNG + b"\x00" * (6 * MB), "certificate") == (201, "")
    assert await upload("report.pdf", PDF, "quality_report") == (201, "")

    lot = (await client.get(f"/api/lots/{lot_id}", headers=seller.headers)).json()
    assert sorted(d["kind"] for d in lot["documents"]) == ["certificate", "quality_report"]
    removed = await client.delete(lot["documents"][0]["url"], headers=seller.headers)
    assert removed.status_code == 204
    assert len((await client.get(f"/api/lots/{lot_id}", headers=seller.headers)).json()["documents"]) == 1

    await publish(client, seller, lot_id)
    assert (await upload("late.pdf", PDF, "quality_report"))[0] == 409
