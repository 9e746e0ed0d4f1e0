"""The brokers' desk at 390 px: no horizontal scrolling on the pipeline, the request form, the matches, the
bundles, the proposal builder, the broker's and the client's proposal pages and the saved searches; and the
main actions reached and used by keyboard alone."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.browser.accounts import register_verified, sign_in
from tests.browser.desk import live_fabric
from tests.browser.orders import overflow_x, tab_to

LONG_TITLE = " with a long title that a narrow screen has to wrap somewhere"


def _too_wide(page: Page) -> list[str]:
    """The innermost elements reaching past the right edge (what to fix when a page scrolls sideways)."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
                .filter(e => !e.closest('.table-wrap'))
                .slice(0, 8).map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.')
                                      + ' ' + (e.textContent || '').trim().slice(0, 40))"""
        )
    )


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
    made = httpx.post(
        f"{live_server}/api/procurement-requests",
        json={
            "client_org_id": client.org_id,
            "purpose": "welfare",
            "quantity": {"value": 3000, "unit": "m"},
            "budget_per_unit": {"max": "10.00"},
            "currency": "CNY",
            "categories": ["textiles/fabric"],
            "requirement_groups": [{"colour": {"eq": colour}, "width": {"gte": "140 cm"}}],
            "deliver_by": (date.today() + timedelta(days=20)).isoformat(),
            "region": "Jiangsu",
        },
        headers=broker.headers,
    )
    assert made.status_code == 201, made.text
    request = f"/desk/requests/{made.json()['id']}"
    proposal = httpx.post(
        f"{live_server}/api/proposals",
        json={
            "request_id": made.json()["id"],
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
                assert overflow_x(page) == 0, f"{url} scrolls sideways by {overflow_x(page)} px: {_too_wide(page)}"
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
