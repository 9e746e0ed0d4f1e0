"""On a 390 px phone the lot page opens with its photo, names the verified seller and links the seller's
profile; a 5,000-character defect note without spaces wraps instead of widening the page."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable

import httpx
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.accounts import register_verified
from tests.browser.screens import fits
from tests.support.catalogue import FABRIC


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (40, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def test_the_lot_page_and_seller_profile_fit_a_phone_with_photo_seller_and_a_long_note(
    live_server: str, new_page: Callable[[], Page], admin_credentials: tuple[str, str]
) -> None:
    seller = register_verified(live_server, "seller", admin_credentials, "Jiangsu Hengli Textiles")
    lot = {**FABRIC, "title": f"Poplin {uuid.uuid4().hex[:6]}", "grade": "B", "defects": "x" * 5000}
    lot_id = httpx.post(f"{live_server}/api/lots", json=lot, headers=seller.headers).json()["id"]
    photo = httpx.post(
        f"{live_server}/api/lots/{lot_id}/documents",
        files={"file": ("roll.jpg", _jpeg(), "image/jpeg")},
        data={"kind": "photo"},
        headers=seller.headers,
    )
    assert photo.status_code == 201, photo.text
    assert httpx.post(f"{live_server}/api/lots/{lot_id}/publish", headers=seller.headers).json()["status"] == "live"

    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/lots?q={lot['title']}")
    card = page.get_by_test_id("lot-card").filter(has_text=lot["title"])
    expect(card.locator("img")).to_have_js_property("complete", True)
    assert card.locator("img").evaluate("img => img.naturalWidth") > 0

    page.goto(f"{live_server}/lots/{lot_id}")
    gallery = page.get_by_test_id("lot-photos")
    expect(gallery.locator("img")).to_be_visible()
    assert gallery.bounding_box()["y"] < page.get_by_test_id("spec-table").bounding_box()["y"]  # type: ignore[index]
    expect(page.get_by_test_id("lot-seller")).to_contain_text(seller.org)
    expect(page.get_by_test_id("lot-seller").locator(".badge-verified")).to_be_visible()
    fits(page)

    page.get_by_test_id("lot-seller").get_by_role("link", name=seller.org).click()
    expect(page.get_by_test_id("seller-name")).to_contain_text(seller.org)
    expect(page.get_by_test_id("lots-listed")).to_have_text("1")
    expect(page.get_by_test_id("seller-live-lots")).to_contain_text(lot["title"])
    fits(page)
