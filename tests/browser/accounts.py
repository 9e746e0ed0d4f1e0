"""Browser tests' accounts: verified organisations made through the API, and signing in through the form."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
from playwright.sync_api import Page, expect

from exchange.demo.kyb import example_details
from tests.support.kyb import LICENCE_PDF

__all__ = ["PASSWORD", "Account", "admin_token", "fill_business", "licence_file", "register_verified", "sign_in"]

PASSWORD = "correct-horse-battery"
PEOPLE = {"buyer": "Zhang Min", "seller": "Chen Wei", "broker": "Li Na"}


@dataclass(frozen=True)
class Account:
    email: str
    org: str
    org_id: int
    headers: dict[str, str]


def admin_token(base: str, admin: tuple[str, str]) -> str:
    answer = httpx.post(f"{base}/api/auth/token", json={"email": admin[0], "password": admin[1]})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def register_verified(base: str, kind: str, admin: tuple[str, str], org: str) -> Account:
    """A new user of a new organisation of `kind` (its name: `org` and a random tail), verified by the admin."""
    email = f"{kind}-{uuid.uuid4().hex[:8]}@example.com"
    org_name = f"{org} {uuid.uuid4().hex[:4]}"
    registered = httpx.post(
        f"{base}/api/auth/register",
        json={
            "email": email,
            "password": PASSWORD,
            "name": PEOPLE[kind],
            "org": {"name": org_name, "kind": kind, **example_details(org_name)},
        },
    )
    assert registered.status_code == 201, registered.text
    org_id = int(registered.json()["org"]["id"])
    verified = httpx.post(
        f"{base}/api/admin/orgs/{org_id}/verify", headers={"Authorization": f"Bearer {admin_token(base, admin)}"}
    )
    assert verified.status_code == 200, verified.text
    token = httpx.post(f"{base}/api/auth/token", json={"email": email, "password": PASSWORD}).json()["access_token"]
    return Account(email, org_name, org_id, {"Authorization": f"Bearer {token}"})


def sign_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form (the submit button by selector: the same in every language)."""
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("form[action='/login'] button[type='submit']").click()  # "Sign in" / "登录"
    expect(page).to_have_url(f"{base}/dashboard")


def licence_file() -> dict[str, object]:
    """A business licence scan for a file input (`page.set_input_files`)."""
    return {"name": "licence.pdf", "mimeType": "application/pdf", "buffer": LICENCE_PDF}


def fill_business(page: Page, org_name: str, **changes: str) -> dict[str, str]:
    """Fill the verification fields and choose the licence on the sign-up or verification page."""
    details = {**example_details(org_name, uuid.uuid4().hex), **changes}
    for field, value in details.items():
        page.fill(f"#{field}", value)
    page.set_input_files("#licence", licence_file())  # type: ignore[arg-type]
    return details
