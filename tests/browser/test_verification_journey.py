"""A buyer registers with a Unified Social Credit Code; the admin rejects with a reason; the buyer reads it on
the verification page and in a notification, in the page's language, corrects the address and sends again;
the admin verifies. In English and Chinese, at 1440 and 390 px; no page scrolls sideways."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from tests.browser.accounts import PASSWORD, fill_business, licence_file, sign_in
from tests.browser.screens import Screen, fits


def _admin_opens(admin: Page, base: str, org_name: str) -> None:
    admin.goto(f"{base}/admin/orgs")
    admin.locator("tr", has_text=org_name).locator("a.btn").click()  # "Check details" / "审核信息"


def test_register_with_a_credit_code_rejected_corrected_and_verified(
    live_server: str, screen: Screen, admin_credentials: tuple[str, str]
) -> None:
    says = screen.says
    org_name = f"Tianjin Procurement {uuid.uuid4().hex[:6]}"
    email = f"buyer-{uuid.uuid4().hex[:8]}@example.com"
    buyer = screen.open()
    buyer.goto(f"{live_server}/register")
    buyer.fill("#name", "Wu Gang")
    buyer.fill("#email", email)
    buyer.fill("#password", PASSWORD)
    buyer.fill("#org_name", org_name)
    buyer.select_option("#org_kind", "buyer")
    details = fill_business(buyer, org_name, uscc="91350100M000100Y44")
    create = buyer.locator("form[action='/register'] button[type='submit']")
    create.click()
    expect(buyer.locator("#uscc-error")).to_contain_text(
        says("last character of this code does not match", "该代码的最后一位")
    )
    expect(buyer.locator("#legal_name")).to_have_value(details["legal_name"])
    fits(buyer)
    buyer.fill("#password", PASSWORD)
    buyer.fill("#uscc", "91350100-M000100Y43")
    buyer.set_input_files("#licence", licence_file())  # type: ignore[arg-type]
    create.click()
    expect(buyer.locator(".flash-success")).to_contain_text(says(f"{org_name} is registered", f"{org_name} 已注册"))

    admin = screen.open()
    admin.goto(f"{live_server}/login")
    admin.fill("#email", admin_credentials[0])
    admin.fill("#password", admin_credentials[1])
    admin.locator("form[action='/login'] button[type='submit']").click()
    _admin_opens(admin, live_server, org_name)
    expect(admin.get_by_test_id("uscc")).to_contain_text("91350100M000100Y43")
    expect(admin.get_by_test_id("legal-name")).to_have_text(details["legal_name"])
    expect(admin.get_by_role("link", name="licence.pdf")).to_be_visible()
    fits(admin)
    reason = says(
        "The address differs from the licence: it reads Binhai New Area.", "地址与营业执照不符 执照上为滨海新区"
    )
    admin.fill("#reason", reason)
    admin.get_by_role("button", name=says("Reject", "驳回")).click()
    expect(admin.locator(".flash-success")).to_contain_text(org_name)

    sign_in(buyer, live_server, email)
    fits(buyer)
    buyer.get_by_role("link", name=says("See or correct your verification details", "查看或更正您的认证信息")).click()
    status = buyer.get_by_test_id("verification-status")
    expect(status).to_contain_text(reason)
    expect(status).to_contain_text(says("An administrator gave this reason:", "管理员给出的原因"))
    fits(buyer)
    buyer.goto(f"{live_server}/notifications")
    notice = buyer.get_by_test_id("notifications")
    expect(notice).to_contain_text(says("Your organisation was not verified yet", "您的企业尚未通过认证"))
    expect(notice).to_contain_text(reason)
    fits(buyer)
    buyer.goto(f"{live_server}/verification")
    buyer.fill("#address", "1 Binhai Road, Binhai New Area, Tianjin")
    buyer.get_by_role("button", name=says("Send for verification", "提交认证")).click()
    expect(status).to_contain_text(says("Waiting for an administrator", "等待管理员审核"))

    _admin_opens(admin, live_server, org_name)
    expect(admin.get_by_text("1 Binhai Road, Binhai New Area, Tianjin")).to_be_visible()
    admin.get_by_role("button", name=says("Verify", "认证"), exact=True).click()
    expect(admin.locator(".flash-success")).to_contain_text(says(f"{org_name} is verified", f"{org_name} 已通过认证"))

    buyer.goto(f"{live_server}/verification")
    expect(status).to_contain_text(says("Your organisation is verified and may trade.", "您的企业已通过认证"))
    fits(buyer)
