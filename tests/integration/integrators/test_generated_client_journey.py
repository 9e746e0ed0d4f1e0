"""An integrator's whole journey with the client `openapi-python-client` generates from /schema/openapi.json,
against a real `exchange serve`: no hand-written HTTP call (the live streams are read through the generated
client's own authenticated httpx client, since a generator cannot make a function of an endless stream).

The client is generated into a temporary folder at the start of the module (a few seconds; nothing
generated is committed). Every call is made with `raise_on_unexpected_status=True`: an answer whose status
the document does not list would raise, so each typed answer below also proves the document right.
"""

from __future__ import annotations

import copy
import importlib
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from exchange.demo.kyb import example_details
from tests.support.catalogue import FABRIC
from tests.support.generated_client import PACKAGE, generate_client, import_generated
from tests.support.servers import free_port, run_exchange, start_server, stop_server
from tests.support.sse import follow, read_until

PASSWORD = "integrator-pass-2026"
ADMIN_EMAIL = "admin@integrator.example"
SIGN_IN_LIMIT = 20
"""Sign-in calls per minute per address on this server: the journey uses fewer, the 429 check the rest."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("integrator-server")
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}},
        "DATA_DIR": str(data_dir),
        "PORT": str(free_port()),
        "AUTH_RATE_LIMIT": str(SIGN_IN_LIMIT),
        "PASSWORD_HASHING": "fast",
    }
    run_exchange("migrate", env=env)
    run_exchange("create-admin", ADMIN_EMAIL, "--password", PASSWORD, env=env)
    process, base = start_server(env, "--no-migrate", log=data_dir / "serve.log")
    yield base
    stop_server(process)


@pytest.fixture(scope="module")
def sdk(server: str, tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The generated client package, from the document the server serves (as an integrator downloads it)."""
    into: Path = tmp_path_factory.mktemp("generated")
    generate_client(httpx.get(f"{server}/schema/openapi.json").json(), into)
    return import_generated(into)


class Api:
    """`api.call("catalogue.search_lots", ...)`: the generated module's `sync_detailed`, by its name."""

    def __init__(self, sdk: ModuleType, base: str) -> None:
        self.sdk, self.base = sdk, base
        self.models = importlib.import_module(f"{PACKAGE}.models")

    def module(self, name: str) -> ModuleType:
        return importlib.import_module(f"{PACKAGE}.api.{name}")

    def call(self, name: str, **kwargs: Any) -> Any:
        return self.module(name).sync_detailed(**kwargs)

    def anonymous(self) -> Any:
        return self.sdk.Client(base_url=self.base, raise_on_unexpected_status=True)

    def signed_in(self, email: str) -> Any:
        body = self.models.TokenIn(email=email, password=PASSWORD)
        token = self.call("accounts.create_token", client=self.anonymous(), body=body)
        assert token.status_code == 200, token.content
        return self.sdk.AuthenticatedClient(
            base_url=self.base, token=token.parsed.access_token, raise_on_unexpected_status=True
        )


def _register(api: Api, kind: str) -> tuple[str, int]:
    email = f"{kind}-{uuid.uuid4().hex[:8]}@integrator.example"
    body = api.models.RegisterIn.from_dict(
        {
            "email": email,
            "password": PASSWORD,
            "name": f"{kind} integrator",
            "org": {"name": email, "kind": kind, **example_details(email)},
        }
    )
    answer = api.call("accounts.register", client=api.anonymous(), body=body)
    assert answer.status_code == 201, answer.content
    assert answer.parsed.org.kind == api.models.OrgKind(kind)
    return email, answer.parsed.org.id


def _problem(api: Api, answer: Any, status: int, code: str | None = None) -> Any:
    """The answer is the typed Problem of that status (and code)."""
    assert answer.status_code == status, answer.content
    assert isinstance(answer.parsed, api.models.Problem), answer.parsed
    assert answer.parsed.status == status
    if code is not None:
        assert answer.parsed.code == code, answer.parsed
    return answer.parsed


def _post_lot(api: Api, seller: Any, town: str, **sale: Any) -> Any:
    body = copy.deepcopy(FABRIC)
    body["location"]["city"] = town
    body["title"] = f"Cotton twill for {town}"
    body["sale"] = {"rfq_enabled": True, **sale}
    created = api.call("catalogue.create_lot", client=seller, body=api.models.LotCreate.from_dict(body))
    assert created.status_code == 201, created.content
    published = api.call("catalogue.publish_lot", lot_id=created.parsed.id, client=seller)
    assert published.status_code == 200, published.content
    assert published.parsed.status == api.models.LotStatus.LIVE
    return published.parsed


def test_an_integrator_does_everything_with_the_generated_client_only(server: str, sdk: ModuleType) -> None:
    api = Api(sdk, server)
    models = api.models
    admin = api.signed_in(ADMIN_EMAIL)

    # Register a seller and a buyer; an admin verifies the seller, not yet the buyer.
    seller_email, seller_org = _register(api, "seller")
    buyer_email, buyer_org = _register(api, "buyer")
    verified = api.call("accounts.verify_org", org_id=seller_org, client=admin)
    assert verified.status_code == 200
    assert verified.parsed.verified is True
    seller, buyer = api.signed_in(seller_email), api.signed_in(buyer_email)

    town = "Town" + uuid.uuid4().hex[:8]
    closes = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    sealed = _post_lot(api, seller, town, mode="sealed_bid", closes_at=closes)
    fixed = _post_lot(api, seller, town, mode="fixed_price", price="40000.00")
    quoted = _post_lot(api, seller, town, mode="fixed_price", price="42000.00")
    answered = _post_lot(api, seller, town, mode="fixed_price", price="39000.00")
    later = _post_lot(api, seller, town, mode="fixed_price", price="38000.00")

    # 403, typed: an unverified buyer may not bid (and a seller never may).
    bid = models.BidIn(amount="30000.00")
    _problem(api, api.call("sealed_bids_and_purchases.place_bid", lot_id=sealed.id, client=buyer, body=bid), 403)
    refused = api.call("sealed_bids_and_purchases.place_bid", lot_id=sealed.id, client=seller, body=bid)
    assert _problem(api, refused, 403).code in {"wrong_org_kind", "forbidden"}
    assert api.call("accounts.verify_org", org_id=buyer_org, client=admin).parsed.verified is True

    # Search by spec filters with units; read a lot.
    search = api.module("catalogue.search_lots")
    wide = search.sync_detailed(client=buyer, location=town, spec_width_gte="140cm", limit=10)
    assert wide.status_code == 200
    assert {lot.id for lot in wide.parsed.items} == {sealed.id, fixed.id, quoted.id, answered.id, later.id}
    assert wide.parsed.total == 5
    narrow = search.sync_detailed(client=buyer, location=town, spec_width_gte="1.6 m", grade=[models.Grade.A])
    assert narrow.parsed.total == 0
    read = api.call("catalogue.get_lot", lot_id=sealed.id, client=buyer)
    assert read.parsed.sale.mode == models.SaleMode.SEALED_BID
    _problem(api, api.call("catalogue.get_lot", lot_id=2_000_000_000, client=buyer), 404, "lot_not_found")

    # Bid (watching the lot's live events), revise, read, withdraw; a bad amount is a typed 422.
    with follow(_own_client(api, buyer), f"/events/lots/{sealed.id}") as lot_events:
        placed = api.call(
            "sealed_bids_and_purchases.place_bid",
            lot_id=sealed.id,
            client=buyer,
            body=bid,
            idempotency_key=str(uuid.uuid4()),
        )
        assert placed.status_code == 201, placed.content
        counted = lot_events.get(timeout=20)
        while counted.name != "bids":
            counted = lot_events.get(timeout=20)
        assert counted.data == {"count": 1, "version": 1}  # the lot's first bid
        assert counted.id  # resumable
    revised = api.call(
        "sealed_bids_and_purchases.place_bid", lot_id=sealed.id, client=buyer, body=models.BidIn(amount="31000.00")
    )
    assert revised.parsed.revision == 2
    mine = api.call("sealed_bids_and_purchases.get_my_bid", lot_id=sealed.id, client=buyer)
    assert mine.parsed.amount == "31000.00"
    bad = api.call(
        "sealed_bids_and_purchases.place_bid", lot_id=sealed.id, client=buyer, body=models.BidIn(amount="lots")
    )
    assert _problem(api, bad, 422).field == "amount"
    withdrawn = api.call("sealed_bids_and_purchases.withdraw_bid", lot_id=sealed.id, client=buyer)
    assert withdrawn.status_code in (200, 204)
    _problem(api, api.call("sealed_bids_and_purchases.get_my_bid", lot_id=sealed.id, client=buyer), 404)

    # Purchase; a second purchase is a typed 409.
    purchase = api.module("sealed_bids_and_purchases.purchase_lot")
    bought = purchase.sync_detailed(lot_id=fixed.id, client=buyer, idempotency_key=str(uuid.uuid4()))
    assert bought.status_code == 201, bought.content
    assert bought.parsed.source == models.OrderSource.PURCHASE
    assert _problem(api, purchase.sync_detailed(lot_id=fixed.id, client=buyer), 409).code

    # RFQ: the buyer opens, the seller counters, the buyer accepts.
    thread = api.call("rfq.open_rfq", lot_id=quoted.id, client=buyer, body=models.RfqOpen(price="36000.00"))
    assert thread.status_code == 201, thread.content
    assert thread.parsed.status == models.ThreadStatus.OPEN
    counter = api.call(
        "rfq.make_offer", thread_id=thread.parsed.id, client=seller, body=models.OfferCreate(price="39500.00")
    )
    assert counter.status_code == 201, counter.content
    accepted = api.call(
        "rfq.accept_offer",
        thread_id=thread.parsed.id,
        client=buyer,
        body=models.AcceptIn(offer_id=counter.parsed.id),
        idempotency_key=str(uuid.uuid4()),
    )
    assert accepted.status_code == 201, accepted.content
    assert accepted.parsed.source == models.OrderSource.QUOTE

    # A wanted request, a seller's answer, the comparison.
    wanted_body = {
        "title": f"Twill for {town}",
        "category": "textiles/fabric",
        "quantity": {"value": 5000, "unit": "m"},
        "deadline": (date.today() + timedelta(days=30)).isoformat(),
        "specs": [{"key": "width", "op": "gte", "value": "140", "unit": "cm"}],
    }
    wanted = api.call("wanted_requests.create_wanted", client=buyer, body=models.WantedCreate.from_dict(wanted_body))
    assert wanted.status_code == 201, wanted.content
    answer = api.call(
        "wanted_requests.answer_wanted",
        request_id=wanted.parsed.id,
        client=seller,
        body=models.WantedAnswer(lot_id=answered.id, price="37000.00"),
    )
    assert answer.status_code == 201, answer.content
    comparison = api.call("wanted_requests.compare_wanted_answers", request_id=wanted.parsed.id, client=buyer)
    assert [row.lot_id for row in comparison.parsed.rows] == [answered.id]

    # Orders: list and read.
    orders = api.call("orders.list_orders", client=buyer).parsed
    assert {order.id for order in orders.items} >= {bought.parsed.id, accepted.parsed.id}
    first = api.call("orders.list_orders", client=buyer, limit=1).parsed
    assert isinstance(first, models.OrderPage)
    assert len(first.items) == 1
    assert first.total == orders.total >= 2
    following = first.to_dict()["next"]  # the generator names the field `next_`
    assert "offset=1" in following
    order = api.call("orders.get_order", order_id=bought.parsed.id, client=buyer).parsed
    assert order.status == models.OrderStatus.AWAITING_PAYMENT
    assert order.lot_id == fixed.id

    # The seller's own events: replayed from the start, then resumed after the last one seen.
    seller_stream = _own_client(api, seller)
    sold = read_until(seller_stream, "/events/me", _lot_sold, last_event_id="0-0")
    first = next(event for event in sold if _lot_sold(event))
    assert first.id
    again = purchase.sync_detailed(lot_id=later.id, client=buyer, idempotency_key=str(uuid.uuid4()))
    assert again.status_code == 201, again.content
    resumed = read_until(seller_stream, "/events/me", _lot_sold, last_event_id=first.id)
    assert first.id not in [event.id for event in resumed]  # nothing twice
    assert next(event for event in resumed if _lot_sold(event)).id != first.id

    # 429, typed, with Retry-After: sign-in attempts beyond the limit.
    wrong = models.TokenIn(email=buyer_email, password="not-the-password")
    for _ in range(SIGN_IN_LIMIT + 1):
        attempt = api.call("accounts.create_token", client=api.anonymous(), body=wrong)
        if attempt.status_code == 429:
            break
        _problem(api, attempt, 401)
    _problem(api, attempt, 429, "rate_limited")
    assert int(attempt.headers["Retry-After"]) > 0


def _lot_sold(event: Any) -> bool:
    return bool(event.name == "notification" and event.data.get("kind") == "lot_sold")


def _own_client(api: Api, client: Any) -> httpx.Client:
    """The generated client's authenticated httpx client, on its own connection (for a stream)."""
    return client.with_headers({}).get_httpx_client()  # type: ignore[no-any-return]
