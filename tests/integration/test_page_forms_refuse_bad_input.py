"""Every form post of the pages answers bad input with a message, never a 5xx, and changes nothing.

The routes come from the app itself, so a new form is covered as soon as it exists (the table below
must name it). The field names come from the templates, so every field a page offers gets garbage.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import Actor, OrgFactory
from tests.support.catalogue import POWER_BANK, body, post_lot, publish
from tests.support.disputes import deliver
from tests.support.pages import PageSession

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
# Fields whose names templates build from data, and "refresh" (it asks for the form again, not to save).
BUILT_NAMES = ["spec.width", "spec.fibre", "spec.width.gte", "spec.width.lte"]
FIELDS = sorted(
    {name for name in re.findall(r'name="([\w.]+)"', "".join(p.read_text() for p in TEMPLATES.rglob("*.html")))}
    - {"refresh", "viewport", "csrf-token"}
    | set(BUILT_NAMES)
)
# Each is invalid wherever it goes: no real id, amount, date, email or text of the required length.
BLANKS = ["", "   ", "\x00"]
GARBAGE = ["-3", "0", "abc", "1e309", "99999999999999999999999", "2001-01-01", "NaN", "on"]
ODD_IDS = ["0", "99999999", "2147483648"]
# What people must never read in a form's messages: type names, JSON or field paths, API routes.
DEVELOPER = re.compile(
    r"`|\$\.|/api/|\bExpected\b|\b(?:GET|POST) /|\w\[\d+\]"
    r"|\b(?:sale|quantity|location|org|specs|budget_per_unit)\.[a-z_]+"
)
FIELD_ERROR = re.compile(r'<p class="field-error" id="([^"]+)">(.*?)</p>', re.S)
FORM_ERRORS = re.compile(r'data-testid="form-errors">(.*?)</div>', re.S)


def _messages(html: str) -> list[str]:
    """The text of every form message on a page: under fields, and the summary above the form."""
    texts = [text for _, text in FIELD_ERROR.findall(html)] + FORM_ERRORS.findall(html)
    return [" ".join(re.sub(r"<[^>]+>", " ", text).split()) for text in texts]


@dataclass
class World:
    seller: Actor
    buyer: Actor
    admin: Actor
    draft_id: int
    fixed_id: int
    sealed_id: int
    held_id: int
    document_id: int
    thread_id: int
    sample_id: int
    wanted_id: int
    answer_thread_id: int
    org_id: int
    search_id: int
    delivered_order_id: int
    dispute_id: int
    paid_order_id: int
    shipped_order_id: int
    broker: Actor
    desk_request_id: int
    proposal_id: int


async def _world(client: AsyncTestClient[Litestar], make_org: OrgFactory, admin: Actor) -> World:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    unverified = await make_org("buyer", verified=False)
    draft = await post_lot(client, seller, body())
    document = await client.post(
        f"/api/lots/{draft['id']}/documents",
        files={"file": ("report.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
        data={"kind": "quality_report"},
        headers=seller.headers,
    )
    assert document.status_code == 201, document.text
    fixed = await publish(client, seller, (await post_lot(client, seller, body()))["id"])
    answered = await publish(client, seller, (await post_lot(client, seller, body()))["id"])
    sealed_body = body(sale={"mode": "sealed_bid", "min_bid": "20000.00", "rfq_enabled": True})
    sealed = await publish(client, seller, (await post_lot(client, seller, sealed_body))["id"])
    held = await publish(client, seller, (await post_lot(client, seller, body(POWER_BANK)))["id"])
    assert (fixed["status"], sealed["status"], held["status"]) == ("live", "live", "in_review")
    opened = await client.post(
        f"/api/lots/{fixed['id']}/rfqs", json={"price": "30000.00", "sample_units": 3}, headers=buyer.headers
    )
    assert opened.status_code == 201, opened.text
    wanted = await client.post(
        "/api/wanted",
        json={
            "title": "Cotton twill for workwear",
            "category": "textiles/fabric",
            "quantity": {"value": "4000", "unit": "m"},
            "deadline": (date.today() + timedelta(days=30)).isoformat(),
        },
        headers=buyer.headers,
    )
    assert wanted.status_code == 201, wanted.text
    answer = await client.post(
        f"/api/wanted/{wanted.json()['id']}/answers",
        json={"lot_id": answered["id"], "price": "35000.00"},
        headers=seller.headers,
    )
    assert answer.status_code == 201, answer.text
    search = await client.post(
        "/api/saved-searches", json={"name": "Fabric", "query": "category=textiles/fabric"}, headers=buyer.headers
    )
    assert search.status_code == 201, search.text
    delivered_order_id = await deliver(
        client, seller, buyer, (await publish(client, seller, (await post_lot(client, seller, body()))["id"]))["id"]
    )
    disputed_order_id = await deliver(
        client, seller, buyer, (await publish(client, seller, (await post_lot(client, seller, body()))["id"]))["id"]
    )
    dispute = await client.post(
        f"/api/orders/{disputed_order_id}/disputes", json={"reason": "Stained rolls"}, headers=buyer.headers
    )
    assert dispute.status_code == 201, dispute.text
    paid_order_id = await _paid(client, seller, buyer)
    shipped_order_id = await _paid(client, seller, buyer)
    shipped = await client.post(
        f"/api/orders/{shipped_order_id}/ship",
        json={"carrier": "SF Express", "tracking_number": "SF1", "packages": 2},
        headers=seller.headers,
    )
    assert shipped.status_code == 200, shipped.text
    broker = await make_org("broker")
    desk_request = await client.post(
        "/api/procurement-requests",
        json={
            "client_org_id": buyer.org_id,
            "purpose": "welfare",
            "quantity": {"value": 3000, "unit": "m"},
            "budget_per_unit": {"max": "10.00"},
            "categories": ["textiles/fabric"],
            "deliver_by": (date.today() + timedelta(days=30)).isoformat(),
            "region": "Jiangsu",
        },
        headers=broker.headers,
    )
    assert desk_request.status_code == 201, desk_request.text
    proposal = await client.post(
        "/api/proposals",
        json={
            "request_id": desk_request.json()["id"],
            "lines": [{"lot_id": fixed["id"], "client_price": "45000.00"}],
            "valid_until": "2099-01-01T00:00:00Z",
        },
        headers=broker.headers,
    )
    assert proposal.status_code == 201, proposal.text
    sent = await client.post(f"/api/proposals/{proposal.json()['id']}/send", headers=broker.headers)
    assert sent.status_code == 200, sent.text
    return World(
        seller=seller,
        buyer=buyer,
        admin=admin,
        draft_id=draft["id"],
        fixed_id=fixed["id"],
        sealed_id=sealed["id"],
        held_id=held["id"],
        document_id=document.json()["id"],
        thread_id=opened.json()["id"],
        sample_id=opened.json()["samples"][0]["id"],
        wanted_id=wanted.json()["id"],
        answer_thread_id=answer.json()["id"],
        org_id=unverified.org_id or 0,
        search_id=search.json()["id"],
        delivered_order_id=delivered_order_id,
        dispute_id=dispute.json()["id"],
        paid_order_id=paid_order_id,
        shipped_order_id=shipped_order_id,
        broker=broker,
        desk_request_id=desk_request.json()["id"],
        proposal_id=proposal.json()["id"],
    )


async def _paid(client: AsyncTestClient[Litestar], seller: Actor, buyer: Actor) -> int:
    """A fixed-price lot of `seller`'s bought and paid by `buyer`: the order's id."""
    lot = await publish(client, seller, (await post_lot(client, seller, body()))["id"])
    bought = await client.post(f"/api/lots/{lot['id']}/purchase", headers=buyer.headers)
    assert bought.status_code == 201, bought.text
    order_id = int(bought.json()["id"])
    how = (await client.post(f"/api/orders/{order_id}/pay", headers=buyer.headers)).json()["instructions"]
    confirmed = await client.post(how["path"], json=how["body"], headers=how["headers"])
    assert confirmed.status_code == 200, confirmed.text
    return order_id


@dataclass(frozen=True)
class Form:
    """Who posts a form and where, and what it must refuse on its real target: every garbage value
    ("all"), only blanks ("blank": its one field is free text, where "abc-3" is a fine answer), or
    nothing ("none": a button, which acts whatever else is posted)."""

    actor: str  # "seller", "buyer", "broker", "admin" or "anonymous"
    ids: Callable[[World], dict[str, int | str]]
    refuses: Literal["all", "blank", "none"]
    keep: Callable[[World], dict[str, str]] = lambda w: {}  # what the form itself fills in (hidden fields)


def _none(w: World) -> dict[str, int | str]:
    return {}


FORMS: dict[str, Form] = {
    "/register": Form("anonymous", _none, "all"),
    "/login": Form("anonymous", _none, "all"),
    "/password/forgot": Form("anonymous", _none, "none"),
    "/password/reset": Form("anonymous", _none, "all"),
    "/logout": Form("buyer", _none, "none"),
    "/admin/orgs/{org_id:int}/verify": Form("admin", lambda w: {"org_id": w.org_id}, "none"),
    "/admin/orgs/{org_id:int}/reject": Form("admin", lambda w: {"org_id": w.org_id}, "blank"),
    "/verification": Form("buyer", _none, "all"),
    "/admin/reviews/{lot_id:int}/approve": Form("admin", lambda w: {"lot_id": w.held_id}, "none"),
    "/admin/reviews/{lot_id:int}/reject": Form("admin", lambda w: {"lot_id": w.held_id}, "blank"),
    "/admin/fee-schedules": Form("admin", _none, "all"),
    "/admin/finance/payouts": Form("admin", _none, "all"),
    "/notifications/read": Form("seller", _none, "none"),
    "/language": Form("buyer", _none, "none"),
    "/lots/new": Form("seller", _none, "all"),
    "/lots/{lot_id:int}/edit": Form("seller", lambda w: {"lot_id": w.draft_id}, "all"),
    "/lots/{lot_id:int}/publish": Form("seller", lambda w: {"lot_id": w.draft_id}, "none"),
    "/lots/{lot_id:int}/withdraw": Form("seller", lambda w: {"lot_id": w.fixed_id}, "none"),
    "/lots/{lot_id:int}/relist": Form("seller", lambda w: {"lot_id": w.fixed_id}, "none"),
    "/lots/{lot_id:int}/price-cut": Form("seller", lambda w: {"lot_id": w.fixed_id}, "all"),
    "/saved-searches": Form("buyer", _none, "blank"),
    "/saved-searches/settings": Form("buyer", _none, "none"),
    "/saved-searches/{search_id:int}/delete": Form("buyer", lambda w: {"search_id": w.search_id}, "none"),
    "/lots/{lot_id:int}/files": Form("seller", lambda w: {"lot_id": w.draft_id}, "all"),
    "/lots/{lot_id:int}/files/{document_id:int}/delete": Form(
        "seller", lambda w: {"lot_id": w.draft_id, "document_id": w.document_id}, "none"
    ),
    "/lots/{lot_id:int}/sale/bid": Form("buyer", lambda w: {"lot_id": w.sealed_id}, "all"),
    "/lots/{lot_id:int}/sale/withdraw": Form("buyer", lambda w: {"lot_id": w.sealed_id}, "none"),
    "/lots/{lot_id:int}/sale/purchase": Form("buyer", lambda w: {"lot_id": w.fixed_id}, "none"),
    "/lots/{lot_id:int}/sale/deposit": Form("buyer", lambda w: {"lot_id": w.sealed_id}, "none"),
    "/lots/{lot_id:int}/sale/watch": Form("buyer", lambda w: {"lot_id": w.sealed_id}, "none"),
    "/rfqs/new": Form("buyer", _none, "all", keep=lambda w: {"lot_id": str(w.sealed_id)}),
    "/rfqs/{thread_id:int}/offers": Form("seller", lambda w: {"thread_id": w.thread_id}, "all"),
    "/rfqs/{thread_id:int}/accept": Form("seller", lambda w: {"thread_id": w.thread_id}, "all"),
    "/rfqs/{thread_id:int}/decline": Form("seller", lambda w: {"thread_id": w.thread_id}, "none"),
    "/rfqs/{thread_id:int}/withdraw": Form("buyer", lambda w: {"thread_id": w.thread_id}, "none"),
    "/rfqs/{thread_id:int}/messages": Form("buyer", lambda w: {"thread_id": w.thread_id}, "all"),
    "/rfqs/{thread_id:int}/samples": Form("buyer", lambda w: {"thread_id": w.thread_id}, "all"),
    "/rfqs/{thread_id:int}/samples/{sample_id:int}/{move:str}": Form(
        "seller", lambda w: {"thread_id": w.thread_id, "sample_id": w.sample_id, "move": "price"}, "all"
    ),
    "/wanted/new": Form("buyer", _none, "all"),
    "/orders/{order_id:int}/inspection": Form("buyer", lambda w: {"order_id": w.delivered_order_id}, "all"),
    "/orders/{order_id:int}/dispute": Form("buyer", lambda w: {"order_id": w.delivered_order_id}, "all"),
    "/orders/{order_id:int}/pay": Form("buyer", lambda w: {"order_id": w.paid_order_id}, "none"),
    "/orders/{order_id:int}/ship": Form("seller", lambda w: {"order_id": w.paid_order_id}, "all"),
    "/orders/{order_id:int}/deliver": Form("buyer", lambda w: {"order_id": w.shipped_order_id}, "none"),
    "/orders/{order_id:int}/mark-delivered": Form("seller", lambda w: {"order_id": w.shipped_order_id}, "blank"),
    "/orders/{order_id:int}/accept": Form("buyer", lambda w: {"order_id": w.delivered_order_id}, "none"),
    "/orders/{order_id:int}/evidence": Form("buyer", lambda w: {"order_id": w.delivered_order_id}, "all"),
    "/orders/{order_id:int}/runner-up-offer": Form("seller", lambda w: {"order_id": w.paid_order_id}, "none"),
    "/runner-up-offers/{offer_id:int}/accept": Form("buyer", lambda w: {"offer_id": 99999999}, "none"),
    "/runner-up-offers/{offer_id:int}/decline": Form("buyer", lambda w: {"offer_id": 99999999}, "none"),
    "/disputes/{dispute_id:int}/answer": Form("seller", lambda w: {"dispute_id": w.dispute_id}, "all"),
    "/disputes/{dispute_id:int}/accept-offer": Form("buyer", lambda w: {"dispute_id": w.dispute_id}, "none"),
    "/disputes/{dispute_id:int}/escalate": Form("buyer", lambda w: {"dispute_id": w.dispute_id}, "none"),
    "/disputes/{dispute_id:int}/messages": Form("seller", lambda w: {"dispute_id": w.dispute_id}, "blank"),
    "/disputes/{dispute_id:int}/evidence": Form("seller", lambda w: {"dispute_id": w.dispute_id}, "all"),
    "/disputes/{dispute_id:int}/decide": Form("admin", lambda w: {"dispute_id": w.dispute_id}, "all"),
    "/wanted/{request_id:int}/answers": Form("seller", lambda w: {"request_id": w.wanted_id}, "all"),
    "/wanted/{request_id:int}/cancel": Form("buyer", lambda w: {"request_id": w.wanted_id}, "none"),
    "/wanted/{request_id:int}/accept/{thread_id:int}": Form(
        "buyer", lambda w: {"request_id": w.wanted_id, "thread_id": w.answer_thread_id}, "all"
    ),
    "/desk/requests/new": Form("broker", _none, "all"),
    "/desk/requests/{request_id:int}/proposal": Form("broker", lambda w: {"request_id": w.desk_request_id}, "all"),
    "/proposals/{proposal_id:int}/send": Form("broker", lambda w: {"proposal_id": w.proposal_id}, "none"),
    "/proposals/{proposal_id:int}/accept": Form("buyer", lambda w: {"proposal_id": w.proposal_id}, "none"),
    "/proposals/{proposal_id:int}/decline": Form("buyer", lambda w: {"proposal_id": w.proposal_id}, "none"),
}


def _page_post_routes(app: Litestar) -> set[str]:
    return {
        route.path
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if "POST" in getattr(handler, "http_methods", ()) and not route.path.startswith("/api/")
    }


def _url(template: str, ids: dict[str, int | str]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(ids[m.group(1)]), template)


def _submissions(form: Form, world: World) -> list[tuple[dict[str, str], dict[str, Any] | None]]:
    """(form fields, files): each garbage value in every field, a typical typo'd form, and a hostile file."""
    keep = form.keep(world)
    forms: list[tuple[dict[str, str], dict[str, Any] | None]] = [({**keep}, None)]
    forms += [({**dict.fromkeys(FIELDS, value), **keep}, None) for value in BLANKS]
    if form.refuses == "blank":
        return forms
    past = (date.today() - timedelta(days=3)).isoformat()
    typed = {"price": "-3", "amount": "-3", "delivery_by": past, "deadline": past, "units": "-3", "unit_price": "-3"}
    forms += [({**dict.fromkeys(FIELDS, value), **keep}, None) for value in GARBAGE]
    forms.append(({**typed, "packaging": "gift boxes", "message": "Kept?", "quantity_value": "-3", **keep}, None))
    hostile = {"file": ("x.html", b"<script>alert(1)</script>", "text/html")}
    forms.append(({"kind": "photo", "body": "", **keep}, hostile))
    return forms


async def _snapshot(client: AsyncTestClient[Litestar], world: World) -> list[Any]:
    """What the three parties can read through the API about everything the forms act on."""
    reads = [
        (world.seller, "/api/seller/lots"),
        (world.seller, f"/api/lots/{world.draft_id}"),
        (world.buyer, f"/api/lots/{world.fixed_id}"),
        (world.buyer, f"/api/lots/{world.sealed_id}"),
        (world.admin, f"/api/lots/{world.held_id}"),
        (world.admin, "/api/admin/reviews"),
        (world.buyer, f"/api/rfqs/{world.thread_id}"),
        (world.buyer, f"/api/rfqs/{world.thread_id}/messages"),
        (world.buyer, f"/api/rfqs/{world.answer_thread_id}"),
        (world.buyer, "/api/rfqs"),
        (world.seller, "/api/rfqs"),
        (world.buyer, f"/api/wanted/{world.wanted_id}"),
        (world.buyer, "/api/wanted"),
        (world.buyer, "/api/orders"),
        (world.buyer, f"/api/orders/{world.delivered_order_id}"),
        (world.buyer, f"/api/orders/{world.paid_order_id}"),
        (world.buyer, f"/api/orders/{world.shipped_order_id}"),
        (world.buyer, f"/api/disputes/{world.dispute_id}"),
        (world.buyer, "/api/bids/mine"),
        (world.buyer, f"/api/lots/{world.sealed_id}/deposit"),
        (world.buyer, "/api/notifications"),
        (world.seller, "/api/notifications"),
        (world.buyer, "/api/saved-searches"),
    ]
    answers = []
    for actor, url in reads:
        answer = await client.get(url, headers=actor.headers)
        answers.append((url, answer.status_code, answer.json()))
    return answers


async def _post_all(
    pages: PageSession,
    world: World,
    sign_in_as: Callable[[str], Awaitable[None]],
    forms: dict[str, Form],
    ids_for: Callable[[str, Form], list[dict[str, int | str]]],
) -> list[str]:
    failures = []
    for path, form in sorted(forms.items(), key=lambda item: (item[1].actor, item[0] == "/logout")):
        await sign_in_as(form.actor)
        for ids in ids_for(path, form):
            url = _url(path, ids)
            for fields, files in _submissions(form, world):
                for htmx in (False, True):
                    answer = await pages.post(url, fields, htmx=htmx, files=files)
                    if answer.status_code >= 500:
                        failures.append(f"POST {url} {fields!r:.120} htmx={htmx} -> {answer.status_code}")
                    failures += [
                        f"POST {url} {fields!r:.80} htmx={htmx} says {message!r}"
                        for message in _messages(answer.text)
                        if DEVELOPER.search(message)
                    ]
            if path == "/logout":
                await sign_in_as(form.actor)
    return failures


async def test_every_page_form_answers_empty_and_garbage_input_without_a_server_error_and_changes_nothing(
    client: AsyncTestClient[Litestar], app: Litestar, make_org: OrgFactory, admin: Actor
) -> None:
    assert _page_post_routes(app) == set(FORMS), "a new page form: add it to FORMS"
    world = await _world(client, make_org, admin)
    pages = PageSession(client)
    actors = {"seller": world.seller, "buyer": world.buyer, "admin": world.admin, "broker": world.broker}
    current: list[str] = []

    async def sign_in_as(role: str) -> None:
        if current == [role]:
            return
        current[:] = [role]
        if role == "anonymous":
            client.cookies.clear()
            await client.get("/login")
            pages.csrf = client.cookies.get("sx_csrf") or ""
        else:
            await pages.sign_in(actors[role])

    def odd_ids(path: str, form: Form) -> list[dict[str, int | str]]:
        real = form.ids(world)
        return [{**real, **dict.fromkeys((k for k in real if k != "move"), odd)} for odd in ODD_IDS] if real else []

    def real_ids(path: str, form: Form) -> list[dict[str, int | str]]:
        return [form.ids(world)] if form.refuses != "none" else []

    try:
        before = await _snapshot(client, world)
        failures = await _post_all(pages, world, sign_in_as, FORMS, real_ids)
        failures += await _post_all(pages, world, sign_in_as, FORMS, odd_ids)
        assert not failures, "\n".join(failures[:30])
        after = await _snapshot(client, world)
        changed = [f"{old[0]}: {old[1:]!r:.300} -> {new[1:]!r:.300}" for old, new in zip(before, after, strict=True)]
        changed = [line for line, old, new in zip(changed, before, after, strict=True) if old != new]
        assert not changed, "\n".join(changed)
        # The buttons (forms without input) with garbage fields on their real targets: they may act, never fail.
        buttons = {path: form for path, form in FORMS.items() if form.refuses == "none"}
        failures = await _post_all(pages, world, sign_in_as, buttons, lambda p, f: [f.ids(world)])
        assert not failures, "\n".join(failures[:30])
    finally:
        pages.close()


async def test_the_rfq_form_answers_bad_input_with_its_messages_and_keeps_what_was_typed(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    lot = await publish(client, seller, (await post_lot(client, seller, body()))["id"])
    pages = PageSession(client)
    await pages.sign_in(buyer)
    past = (date.today() - timedelta(days=3)).isoformat()
    typed = {"lot_id": str(lot["id"]), "packaging": "Remove the brand logo", "message": "Rolls of 100 m?"}
    try:
        for fields, field in [
            ({"price": "-3"}, "price"),
            ({"price": "30000.00", "delivery_by": past}, "delivery_by"),
            ({}, "price"),
        ]:
            answer = await pages.post("/rfqs/new", {**typed, **fields})
            assert answer.status_code == 422, answer.text
            assert re.search(rf'class="field has-error">\s*<label for="{field}"', answer.text)
            assert 'value="Remove the brand logo"' in answer.text
            assert "Rolls of 100 m?</textarea>" in answer.text
            for value in fields.values():
                assert f'value="{value}"' in answer.text
        assert (await client.get("/api/rfqs", headers=buyer.headers)).json()["items"] == []
    finally:
        pages.close()


ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _field_problems(html: str) -> dict[str, str]:
    """{input name's error id: message} for each message shown under a field."""
    return {ident: " ".join(re.sub(r"<[^>]+>", " ", text).split()) for ident, text in FIELD_ERROR.findall(html)}


def _described(html: str, error_id: str) -> bool:
    """An input, select or textarea is marked invalid and described by the message with this id."""
    tags = re.findall(r"<(?:input|select|textarea)\b[^>]*>", html)
    return any(
        'aria-invalid="true"' in tag and re.search(rf'aria-describedby="[^"]*\b{error_id}\b', tag) for tag in tags
    )


async def test_a_bad_form_shows_every_problem_at_once_under_its_field_in_plain_words_of_the_page_language(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    lot = await publish(client, seller, (await post_lot(client, seller, body()))["id"])
    kept = "Kept words 保留"
    cases: list[tuple[Actor | None, str, dict[str, str], set[str]]] = [
        (
            seller,
            "/lots/new",
            {"title": "", "category": "textiles/fabric", "quantity_value": "-3", "quantity_unit": "m", "grade": "B",
             "defects": "", "sale_mode": "fixed_price", "price": "-3", "country": "XX", "description": kept},
            {"title", "quantity_value", "price", "country", "defects"},
        ),
        (
            buyer,
            "/wanted/new",
            {"title": "", "category": "", "quantity_value": "40", "quantity_unit": "", "deadline": "", "notes": kept},
            {"title", "category", "deadline", "quantity_unit"},
        ),
        (
            buyer,
            "/rfqs/new",
            {"lot_id": str(lot["id"]), "price": "30000.00", "sample_units": "some", "delivery_by": "soon",
             "message": kept},
            {"sample_units", "delivery_by"},
        ),
        (
            None,
            "/register",
            {"name": "", "email": "x", "password": "short", "org_name": kept, "org_kind": ""},
            {"name", "email", "org-kind", "legal_name", "licence"},
        ),
    ]  # fmt: skip
    pages = PageSession(client)
    try:
        for language in ("en", "zh"):
            client.headers.update(ZH if language == "zh" else {"Accept-Language": "en"})
            for actor, path, fields, wrong in cases:
                if actor is None:
                    client.cookies.clear()
                    await client.get("/login")
                    pages.csrf = client.cookies.get("sx_csrf") or ""
                else:
                    await pages.sign_in(actor)
                answer = await pages.post(path, fields)
                assert answer.status_code == 422, (path, answer.status_code, answer.text[:500])
                shown = _field_problems(answer.text)
                for name in wrong:
                    error_id = f"{name}-error"
                    assert shown.get(error_id), (language, path, name, shown)
                    assert _described(answer.text, error_id), (language, path, name)
                    if language == "zh":
                        assert CJK.search(shown[error_id]), (path, name, shown[error_id])
                assert not [m for m in _messages(answer.text) if DEVELOPER.search(m)], (path, _messages(answer.text))
                assert kept in answer.text, path  # what was typed is still there
    finally:
        client.headers.pop("Accept-Language", None)
        pages.close()
