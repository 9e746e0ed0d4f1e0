"""A buyer bids, the lot closes, and the buyer checks the receipt in the browser on the opening report: the
receipt this browser saved is counted as placed; a downloaded receipt whose amount was edited is refused with
the reason. In English and Chinese, at 1440 and 390 px."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import expect

from exchange.auctions.receipts import commitment, parse_micros
from tests.browser.accounts import register_verified, sign_in
from tests.browser.auctions import close_soon, sealed_bid_lot, seconds_from_now
from tests.browser.screens import Screen, fits

OPEN_FOR = 10
"""Seconds from the moment the sale page opens until the lot closes: time to place one bid."""


def test_a_buyer_checks_the_receipt_in_the_browser_and_a_tampered_file_fails_with_its_reason(
    live_server: str,
    live_server_database_url: str,
    admin_credentials: tuple[str, str],
    screen: Screen,
    tmp_path: Path,
) -> None:
    seller = register_verified(live_server, "seller", admin_credentials, "Jiangsu Hengli Textiles")
    buyer = register_verified(live_server, "buyer", admin_credentials, "Hangzhou Uniform Works")
    lot_id = sealed_bid_lot(live_server, seller, reserve_price="30000.00")
    page = screen.open()
    sign_in(page, live_server, buyer.email)
    expect(page.get_by_test_id("needs-me")).to_be_visible()  # the dashboard, with what waits for the buyer
    fits(page)
    close_soon(live_server_database_url, lot_id, seconds_from_now(OPEN_FOR))

    page.on("dialog", lambda dialog: dialog.accept())  # the bid's confirmation
    page.goto(f"{live_server}/lots/{lot_id}/sale")
    page.fill(f"#bid-amount-{lot_id}", "31500")
    page.get_by_test_id("bid-form").locator("button[type=submit]").click()
    panel = page.get_by_test_id("receipt-panel")
    expect(panel.get_by_test_id("receipt-proves")).to_contain_text(
        screen.says("This receipt proves the exchange accepted exactly this amount", "此凭证证明交易所")
    )
    saved = page.evaluate(f"window.localStorage.getItem('surplus-exchange:receipt:{lot_id}')")
    assert json.loads(saved)["amount"] == "31500.00"
    fits(page)
    with page.expect_download() as download:
        panel.locator(f'a[href="/lots/{lot_id}/sale/receipt.json"]').click()
    receipt = json.loads(Path(download.value.path()).read_text())
    assert receipt["receipt"] == json.loads(saved)["receipt"]
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps({**receipt, "amount": "35000.00"}))

    expect(page.get_by_test_id("my-outcome")).to_be_visible(timeout=(OPEN_FOR + 10) * 1000)  # closed, live
    page.goto(f"{live_server}/lots/{lot_id}/opening")
    verdict = page.get_by_test_id("receipt-verdict")
    page.locator("[data-check-saved]").click()
    expect(verdict).to_contain_text(screen.says("Your bid was counted as placed: rank 1", "您的出价已按所出计入"))
    expect(page.get_by_test_id("opening-report").locator("tr.receipt-found")).to_have_count(1)

    # A well-formed receipt the report does not list (its own hash, as the server computes it, is right),
    # and another lot's receipt: each refused with its reason.
    unlisted = {**receipt, "nonce": "0" * 32}
    unlisted["receipt"] = commitment(
        lot_id=lot_id, bidder_org_id=buyer.org_id, amount=receipt["amount"], currency=receipt["currency"],
        revision=receipt["revision"], placed_at_us=parse_micros(receipt["placed_at"]), nonce=unlisted["nonce"],
    )  # fmt: skip
    for name, content, verdict_kind in (
        ("unlisted.json", unlisted, "not-listed"),
        ("other-lot.json", {**receipt, "lot_id": lot_id + 1000}, "wrong-lot"),
    ):
        (tmp_path / name).write_text(json.dumps(content))
        page.set_input_files("#receipt-file", str(tmp_path / name))
        expect(verdict).to_have_attribute("data-verdict", verdict_kind)
    expect(verdict).to_contain_text(screen.says("This receipt is for lot", "此凭证属于拍品"))

    page.set_input_files("#receipt-file", str(tampered))
    expect(verdict).to_contain_text("35000.00 CNY")
    expect(verdict).to_contain_text(screen.says("the amount in this receipt (35000.00 CNY) was changed", "被改动过"))
    fits(page)
