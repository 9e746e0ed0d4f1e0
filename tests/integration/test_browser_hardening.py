"""Browser hardening: security headers on every kind of response, and uploads named for their real type."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import Actor, OrgFactory
from tests.support.catalogue import body, post_lot, publish
from tests.support.pages import PageSession

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _assert_hardened(answer: object, what: str) -> None:
    headers = answer.headers  # type: ignore[attr-defined]
    assert headers.get("x-frame-options") == "DENY", what
    assert headers.get("x-content-type-options") == "nosniff", what
    assert headers.get("referrer-policy") == "same-origin", what
    policy = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in policy, what
    assert "'unsafe-inline'" not in policy, what
    assert "'unsafe-eval'" not in policy, what


async def test_every_kind_of_response_carries_the_security_headers(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    buyer = await make_org("buyer")
    pages = PageSession(client)
    try:
        answers = {
            "landing page": await client.get("/"),
            "browse page": await client.get("/lots"),
            "static file": await client.get("/static/js/app.js"),
            "vendored htmx": await client.get("/static/vendor/htmx.min.js"),
            "unknown page (404)": await client.get("/no-such-page"),
            "missing lot page (404)": await client.get("/lots/987654321"),
            "wrong method (405)": await client.put("/lots"),
            "form without CSRF token (403)": await client.post("/logout"),
            "API list": await client.get("/api/categories"),
            "API error (401)": await client.get("/api/me"),
            "API error (404)": await client.get("/api/lots/987654321", headers=buyer.headers),
            "health": await client.get("/health"),
        }
        await pages.sign_in(buyer)
        answers["signed-in page"] = await pages.get("/dashboard")
        answers["sign-out redirect"] = await pages.post("/logout")
    finally:
        pages.close()
    for what, answer in answers.items():
        _assert_hardened(answer, what)
    page_policy = answers["landing page"].headers["content-security-policy"]
    assert "script-src 'self';" in page_policy


async def test_the_pages_hold_no_inline_script_handler_or_style_the_policy_would_block(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    lot = await publish(client, seller, (await post_lot(client, seller, body()))["id"])
    pages = PageSession(client)
    await pages.sign_in(seller)
    try:
        for url in ["/", "/lots", f"/lots/{lot['id']}", "/lots/new", "/seller/lots", "/dashboard", "/rfqs"]:
            html = (await pages.get(url)).text
            assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
            assert not re.search(r"\s(on[a-z]+|hx-on[:\w-]*|style)=", html), url
    finally:
        pages.close()


async def _thread_with_buyer(client: AsyncTestClient[Litestar], make_org: OrgFactory) -> tuple[Actor, Actor, int]:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    lot = await publish(client, seller, (await post_lot(client, seller, body()))["id"])
    opened = await client.post(f"/api/lots/{lot['id']}/rfqs", json={"price": "30000.00"}, headers=buyer.headers)
    assert opened.status_code == 201, opened.text
    return seller, buyer, int(opened.json()["id"])


async def test_an_rfq_attachment_with_pdf_bytes_named_html_is_kept_and_served_as_a_pdf_download(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller, buyer, thread_id = await _thread_with_buyer(client, make_org)
    posted = await client.post(
        f"/api/rfqs/{thread_id}/messages/upload",
        files={"file": ("../inspection x.html", PDF, "text/html")},
        data={"body": "The inspection report"},
        headers=buyer.headers,
    )
    assert posted.status_code == 201, posted.text
    attachment = posted.json()["attachments"][0]
    assert (attachment["name"], attachment["content_type"]) == ("inspection x.pdf", "application/pdf")

    pages = PageSession(client)
    await pages.sign_in(seller)
    try:
        downloads = {
            "API": await client.get(attachment["url"], headers=seller.headers),
            "page": await pages.get(f"/rfqs/{thread_id}/attachments/{attachment['id']}"),
        }
    finally:
        pages.close()
    for where, download in downloads.items():
        assert download.status_code == 200, where
        assert download.content == PDF, where
        assert download.headers["content-type"] == "application/pdf", where
        assert download.headers["x-content-type-options"] == "nosniff", where
        disposition = download.headers["content-disposition"]
        assert disposition.startswith("attachment;"), where
        assert "inspection%20x.pdf" in disposition, where
        assert ".html" not in disposition, where


async def test_a_lot_document_with_pdf_bytes_named_html_is_named_pdf_and_served_sandboxed(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    draft = await post_lot(client, seller, body())
    uploaded = await client.post(
        f"/api/lots/{draft['id']}/documents",
        files={"file": ("x.html", PDF, "text/html")},
        data={"kind": "quality_report"},
        headers=seller.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    assert (uploaded.json()["filename"], uploaded.json()["content_type"]) == ("x.pdf", "application/pdf")
    served = await client.get(uploaded.json()["url"], headers=seller.headers)
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"] == "inline; filename*=UTF-8''x.pdf"
    assert served.headers["content-security-policy"] == "default-src 'none'; sandbox"  # its own, kept
    assert served.headers["x-frame-options"] == "DENY"
