"""The brokers' desk in a browser: a broker asks for a client, builds a proposal from a bundle and sends it; the
client accepts it; orders appear for both, and only the broker ever sees its cost, margin and commission."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.browser.accounts import register_verified, sign_in
from tests.browser.desk import live_fabric

BROKER_WORDS = re.compile(r"cost|margin|commission", re.IGNORECASE)


def test_a_broker_sends_a_proposal_from_a_bundle_the_client_accepts_and_only_the_broker_sees_its_commission(
    live_server: str, new_page: Callable[[], Page], admin_credentials: tuple[str, str]
) -> None:
    broker = register_verified(live_server, "broker", admin_credentials, "Pudong Gift Brokers")
    client = register_verified(live_server, "buyer", admin_credentials, "Anxin Insurance")
    seller = register_verified(live_server, "seller", admin_credentials, "Jiangsu Hengli Textiles")
    colour = "shade-" + uuid.uuid4().hex[:10]
    first = live_fabric(live_server, seller, colour, 2000, "14000.00")  # 7.00 per m
    second = live_fabric(live_server, seller, colour, 1100, "8800.00")  # 8.00 per m

    # The broker asks for 3000 m for the client on the request form: no one lot covers it.
    broker_page, client_page = new_page(), new_page()
    sign_in(broker_page, live_server, broker.email)
    broker_page.goto(f"{live_server}/desk/requests/new")
    form = broker_page.get_by_test_id("request-form")
    form.locator("#client_org_id").select_option(str(client.org_id))
    form.locator("#purpose").select_option("welfare")
    form.locator("#quantity_value").fill("3000")
    form.locator("#quantity_unit").fill("m")
    form.locator("#budget_max").fill("10.00")
    form.locator("#category").select_option("textiles/fabric")  # its spec fields come in with their units
    form.locator("#spec-fields-0").get_by_label("Colour").fill(colour)
    form.locator("#deliver_by").fill((date.today() + timedelta(days=20)).isoformat())
    form.locator("#region").fill("Jiangsu")
    form.locator("#spec-fields-0").get_by_label("Width at least (cm)").fill("140 cm")
    form.get_by_role("button", name="Find matching lots").click()
    expect(broker_page).to_have_url(re.compile(rf"{re.escape(live_server)}/desk/requests/\d+$"))
    request_url = broker_page.url

    # Its bundles: the best one is both lots; the broker builds a proposal from it.
    broker_page.goto(request_url + "/bundles")
    best = broker_page.get_by_test_id("bundles").locator("li").first
    expect(best).to_contain_text("Best bundle: 22,800.00 CNY")
    best.get_by_role("link", name="Build a proposal from this bundle").click()
    expect(broker_page).to_have_url(re.compile(rf"{re.escape(request_url)}/proposal\?"))
    builder = broker_page.get_by_test_id("builder-form")
    margin = builder.get_by_test_id("total-margin")
    expect(margin).to_have_text("2,280.00")  # each lot at its cost + 10 % to begin with
    # Each price change redraws the table (HTMX): wait for the margin it gives before typing the next.
    builder.get_by_label(f"Client's price for lot {first}").fill("15000.00")
    builder.get_by_label(f"Client's price for lot {first}").press("Tab")
    expect(margin).to_have_text("1,880.00")  # 1000.00 on the first, still 880.00 on the second
    builder.get_by_label(f"Client's price for lot {second}").fill("9800.00")
    builder.get_by_label(f"Client's price for lot {second}").press("Tab")
    expect(margin).to_have_text("2,000.00")
    expect(builder.get_by_label(f"Client's price for lot {first}")).to_have_value("15000.00")
    builder.locator("#note").fill("Two lots of the same twill for the staff uniforms.")
    builder.locator("#valid_until").fill((date.today() + timedelta(days=5)).isoformat())
    builder.get_by_role("button", name="Create proposal").click()
    expect(broker_page).to_have_url(re.compile(rf"{re.escape(live_server)}/proposals/\d+$"))
    proposal_url = broker_page.url
    expect(broker_page.locator("h1 .badge")).to_have_text("sent")
    commission = broker_page.get_by_test_id("commission")
    expect(commission).to_have_text(re.compile(r"^[\d,]+\.\d\d$"))
    commission_figure = commission.inner_text()
    assert float(commission_figure.replace(",", "")) >= 2000.00  # the margin and a share of the cost

    # The client finds it, sees the total and none of the broker's figures, and accepts.
    sign_in(client_page, live_server, client.email)
    client_page.goto(f"{live_server}/proposals")
    client_page.locator(f'a[href="{proposal_url.removeprefix(live_server)}"]').first.click()
    expect(client_page).to_have_url(proposal_url)
    expect(client_page.get_by_test_id("total")).to_have_text("24,800.00 CNY")
    secrets = ("14,000.00", "8,800.00", "22,800.00", "2,000.00", "1,000.00", commission_figure)
    _assert_no_broker_figures(client_page, secrets)
    asked: list[str] = []
    client_page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    client_page.get_by_test_id("accept-form").get_by_role("button", name="Accept proposal").click()
    expect(client_page.locator("h1 .badge")).to_have_text("accepted")
    assert asked[0].startswith("Accept this proposal of 2 lots 24,800.00 CNY? All or nothing"), asked
    assert "15,000.00 CNY" in asked[0]
    assert "9,800.00 CNY" in asked[0]
    assert not any(secret in asked[0] for secret in secrets)
    assert not BROKER_WORDS.search(asked[0])
    lines = client_page.get_by_test_id("proposal-lines")
    expect(lines).to_contain_text(re.compile(r"order #\d+[\s\S]*order #\d+"))
    expect(client_page.locator("h1 .badge")).to_have_text("accepted")
    _assert_no_broker_figures(client_page, secrets)
    order_ids = re.findall(r"order #(\d+)", lines.inner_text())
    assert len(set(order_ids)) == 2

    # The broker's proposal page shows the orders, and the pipeline the accepted proposal and its commission
    # (the rate of the fee schedule the orders keep: read again after acceptance).
    broker_page.reload()
    expect(broker_page.get_by_test_id("proposal-lines")).to_contain_text(re.compile(r"order #\d+[\s\S]*order #\d+"))
    expect(broker_page.locator("h1 .badge")).to_have_text("accepted")
    earned = broker_page.get_by_test_id("commission").inner_text()
    assert float(earned.replace(",", "")) >= 2000.00
    broker_page.goto(f"{live_server}/desk")
    expect(broker_page.get_by_test_id("pipeline-counts")).to_contain_text("1 accepted")
    expect(broker_page.get_by_test_id("commission-earned")).to_have_text(f"Commission earned: {earned} CNY")

    # The client's orders: both, at the client's prices, with no cost, margin or commission anywhere.
    secrets = (*secrets, earned)
    client_page.goto(f"{live_server}/orders")
    orders = client_page.get_by_test_id("orders")
    for order_id in order_ids:
        expect(orders.locator("tr", has_text=f"#{order_id}")).to_contain_text(re.compile(r"(15,000|9,800)\.00 CNY"))
    _assert_no_broker_figures(client_page, secrets)
    for order_id in order_ids:
        client_page.goto(f"{live_server}/orders/{order_id}")
        expect(client_page.locator("h1")).to_contain_text(f"Order #{order_id}")
        expect(client_page.locator("body")).to_contain_text("proposal")
        _assert_no_broker_figures(client_page, secrets)
    client_page.goto(proposal_url)
    expect(client_page.locator("h1 .badge")).to_have_text("accepted")
    _assert_no_broker_figures(client_page, secrets)


def _assert_no_broker_figures(page: Page, secrets: tuple[str, ...]) -> None:
    """The page's whole text (and its markup) names no cost, margin or commission and shows none of their figures."""
    html = page.content()
    text = page.locator("body").inner_text()
    assert not BROKER_WORDS.search(text), BROKER_WORDS.findall(text)
    assert not BROKER_WORDS.search(html), BROKER_WORDS.findall(html)
    for figure in secrets:
        assert figure not in html, figure
