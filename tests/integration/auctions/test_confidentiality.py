"""Before the close nobody reads a bid amount or a bidder: every route, page, live event and log line."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import Actor, OrgFactory
from tests.support.lots import live_lot
from tests.support.pages import page_headers
from tests.support.waiting import eventually

PARAM = re.compile(r"\{(\w+):(\w+)\}")
STREAMING_PREFIXES = ("/events/",)  # endless SSE streams (and /lots/{id}/events); checked on Redis pub/sub below


def _concrete(path: str, values: dict[str, str]) -> str | None:
    if ":path}" in path:
        return None
    return PARAM.sub(lambda match: values.get(match.group(1), "openapi.json" if match.group(2) == "str" else "1"), path)


class Identity:
    """A bidder's name or email, paired with the same detail of a buyer org that did not bid.

    A page that lists every organisation (the admin's verification list) shows both and reveals
    nothing about the lot; showing the bidder's and not the bystander's names them as a bidder.
    """

    def __init__(self, secret: str, bystander: str) -> None:
        self.secret = secret
        self.bystander = bystander

    def found_in(self, text: str) -> bool:
        return self.secret in text and self.bystander not in text

    def __repr__(self) -> str:
        return self.secret


Secret = str | Identity


def _leaks(text: str, secrets: list[Secret]) -> list[Secret]:
    return [s for s in secrets if (s.found_in(text) if isinstance(s, Identity) else s in text)]


async def test_before_the_close_no_route_page_event_or_log_reveals_an_amount_or_a_bidder(
    app: Litestar,
    client: AsyncTestClient[Litestar],
    db: async_sessionmaker[AsyncSession],
    make_org: OrgFactory,
    admin: Actor,
    redis_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    run = uuid.uuid4().hex[:8]
    seller = await make_org("seller")
    hidden = await make_org("buyer", name=f"Hidden Bidder {run}")
    other = await make_org("buyer", name=f"Other Bidder {run}")
    bystander = await make_org("buyer", name=f"Bystander Buyer {run}")
    lot_id = await live_lot(db, seller, min_bid_minor=100_00, deposit_percent=None)

    listener = Redis.from_url(redis_url)
    pubsub = listener.pubsub()
    await pubsub.psubscribe("*")

    hidden_bid = await client.post(
        f"/api/lots/{lot_id}/bids", json={"amount": "73519.37"}, headers={**hidden.headers, "Idempotency-Key": "k-1"}
    )
    assert hidden_bid.status_code == 201
    other_bid = await client.post(f"/api/lots/{lot_id}/bids", json={"amount": "51111.11"}, headers=other.headers)
    assert other_bid.status_code == 201
    hidden_secrets: list[Secret] = [
        "73519.37",
        "7351937",
        Identity(f"Hidden Bidder {run}", f"Bystander Buyer {run}"),
        Identity(hidden.email, bystander.email),
        hidden_bid.json()["receipt"],
        hidden_bid.json()["nonce"],
    ]
    other_secrets: list[Secret] = [
        "51111.11",
        "5111111",
        Identity(f"Other Bidder {run}", f"Bystander Buyer {run}"),
        Identity(other.email, bystander.email),
        other_bid.json()["receipt"],
    ]

    viewers: dict[str, tuple[dict[str, str], list[Secret]]] = {
        "anonymous": ({}, hidden_secrets + other_secrets),
        "seller": ({**seller.headers, **await page_headers(client, seller)}, hidden_secrets + other_secrets),
        "admin": ({**admin.headers, **await page_headers(client, admin)}, hidden_secrets + other_secrets),
        "other bidder": ({**other.headers, **await page_headers(client, other)}, hidden_secrets),
    }
    values = {"lot_id": str(lot_id), "org_id": str(hidden.org_id), "order_id": "1", "user_id": str(hidden.user_id)}
    routes = [route for route in app.routes if isinstance(route, HTTPRoute)]
    checked = 0
    for route in routes:
        path = _concrete(route.path, values)
        streaming = path is not None and (path.startswith(STREAMING_PREFIXES) or path.endswith("/events"))
        if path is None or streaming or path.startswith("/static"):
            continue
        for method in sorted(route.methods - {"OPTIONS", "HEAD"}):
            for name, (headers, all_secrets) in viewers.items():
                # A route about the org itself (its verification record, its credit) names it by design;
                # what it must not show is the org's bid.
                secrets = [s for s in all_secrets if not ("{org_id" in route.path and isinstance(s, Identity))]
                # Pages answer HTMX requests with fragments; the JSON API ignores the header.
                for extra in ({},) if path.startswith("/api") else ({}, {"HX-Request": "true"}):
                    client.cookies.clear()  # each viewer is only who its headers say
                    if method == "GET":
                        answer = await client.get(path, headers={**headers, **extra})
                    elif "{lot_id" in route.path:  # state-changing calls on the lot, with bad input
                        answer = await client.request(
                            method, path, headers={**headers, **extra}, json={"amount": "not-money"}
                        )
                    else:
                        continue
                    checked += 1
                    assert answer.status_code < 500, (name, method, path, answer.text)
                    assert not _leaks(answer.text, secrets), (name, method, path, _leaks(answer.text, secrets))
                    assert not _leaks(str(answer.headers), secrets), (name, method, path)
    assert checked > 100

    async def bid_count_event() -> list[Any] | None:
        seen = []
        while (message := await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.05)) is not None:
            seen.append(message)
        return seen or None

    events = await eventually(bid_count_event, within=30)  # bounded: only a lost event takes this long
    await pubsub.aclose()
    await listener.aclose()
    published = " ".join(
        event["data"].decode(errors="replace") if isinstance(event["data"], bytes) else str(event["data"])
        for event in events
    )
    assert "count" in published
    assert not _leaks(published, hidden_secrets + other_secrets)
    logged = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    assert not _leaks(logged, hidden_secrets + other_secrets)
