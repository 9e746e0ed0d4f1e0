"""The brokers' desk at 390 px: no horizontal scrolling on the pipeline, the request form, the matches, the
bundles, the proposal builder, the broker's and the client's proposal pages and the saved searches; and the
main actions reached and used by keyboard alone."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from playwright.sync_api import Browser, expect

from tests.browser.accounts import register_verified, sign_in
from tests.browser.desk import fabric_request, live_fabric
from tests.browser.orders import tab_to
from tests.browser.screens import fits

LONG_TITLE = " with a long title that a narrow screen has to wrap somewhere"


def test_the_desk_pages_fit_a_390_px_screen(
    live_server: str, browser: Browser, admin_credentials: tuple[str, str]
) -> None:
    broker = register_verified(live_server, "broker", admin_credentials, "Pudong Gift Brokers")
    client = register_verified(live_server, "buyer", admin_credentials, "Anxin Insurance")
    seller = register_verified(live_server, "seller", admin_credentials, "Jiangsu Hengli Textiles")
    colour = "shade-" + uuid.uuid4().hex[:10]
    first = live_fabric(live_server, seller, colour, 2000, "14000.00", title_tail=LONG_TITLE)
    second = live_fabric(live_server, seller, colour, 1100, "8800.00", title_tail=LONG_TITLE)
    # 12.00 per m: a near miss, over budget
    live_fabric(live_server, seller, colour, 3000, "36000.00", title_tail=LONG_TITLE)
    request_id = fabric_request(
        live_server, broker, client, {"colour": {"eq": colour}, "width": {"gte": "140 cm"}}, region="Jiangsu"
    )
    request = f"/desk/requests/{request_id}"
    proposal = httpx.post(
        f"{live_server}/api/proposals",
        json={
            "request_id": request_id,
            "lines": [{"lot_id": first, "client_price": "15000.00"}, {"lot_id": second, "client_price": "9800.00"}],
            "note": "Two lots of the same twill for the staff uniforms.",
            "valid_until": (datetime.now(UTC) + timedelta(days=5)).isoformat(),
        },
        headers=broker.headers,
    )
    assert proposal.status_code == 201, proposal.text
    proposal_url = f"/proposals/{proposal.json()['id']}"
    sent = httpx.post(f"{live_server}/api/proposals/{proposal.json()['id']}/send", headers=broker.headers)
    assert sent.status_code == 200, sent.text
    saved = httpx.post(
        f"{live_server}/api/saved-searches",
        json={"name": "Twill for uniforms", "query": f"category=textiles/fabric&spec.colour={colour}"},
        headers=client.headers,
    )
    assert saved.status_code == 201, saved.text

    pages = [
        (
            broker,
            [
                "/desk",
                "/desk/requests/new",
                request,
                f"{request}/bundles",
                f"{request}/proposal?lots={first},{second}",
                proposal_url,
            ],
        ),
        (client, ["/proposals", proposal_url, "/saved-searches"]),
    ]
    for who, urls in pages:
        context = browser.new_context(viewport={"width": 390, "height": 844})
        try:
            page = context.new_page()
            page.set_default_timeout(15_000)
            sign_in(page, live_server, who.email)
            for url in urls:
                page.goto(f"{live_server}{url}")
                expect(page.locator("h1")).to_be_visible()
                fits(page)
        finally:
            context.close()

    # By keyboard alone, on the phone: the broker goes from a bundle to the proposal builder, the client accepts.
    for who, url, action in (
        (broker, f"{request}/bundles", "Build a proposal from this bundle"),
        (client, proposal_url, "Accept proposal"),
    ):
        context = browser.new_context(viewport={"width": 390, "height": 844})
        try:
            page = context.new_page()
            page.set_default_timeout(15_000)
            sign_in(page, live_server, who.email)
            page.goto(f"{live_server}{url}")
            page.once("dialog", lambda dialog: dialog.accept())  # accepting the proposal is confirmed first
            tab_to(page, action)
            page.keyboard.press("Enter")
            if who is broker:
                expect(page).to_have_url(re.compile(rf"{re.escape(live_server)}{request}/proposal\?lots="))
                expect(page.get_by_test_id("builder-form")).to_be_visible()
            else:
                expect(page.locator("h1 .badge")).to_have_text("accepted")
        finally:
            context.close()
