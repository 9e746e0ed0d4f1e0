"""Sweeps: the client never meets the broker's cost, margin or commission (routes, pages, notifications,
live events, errors); an org a private lot is not shown to never meets it through the brokers' desk."""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import OrgFactory
from tests.support.desk import new_desk
from tests.support.pages import page_headers

PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")
SWEPT = ("/api/proposals", "/proposals", "/api/orders", "/orders", "/api/notifications", "/notifications",
         "/desk", "/api/procurement-requests", "/dashboard")  # fmt: skip


def _lot_ids(data: Any) -> set[int]:
    """Every lot id a JSON answer names (`lot_id`, and `id` of a `lot` or of each of `lots`)."""
    found: set[int] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "lot_id" and isinstance(value, int):
                found.add(value)
            elif key == "lot" and isinstance(value, dict):
                found.add(value["id"])
            elif key == "lots" and isinstance(value, list):
                found |= {item["id"] for item in value if isinstance(item, dict)}
            found |= _lot_ids(value)
    elif isinstance(data, list):
        for item in data:
            found |= _lot_ids(item)
    return found


def _secrets_in(text: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if re.search(rf"(?<![\w.]){re.escape(s)}(?![\w])", text)]


async def test_the_client_finds_no_cost_margin_or_commission_anywhere(
    app: Litestar,
    client: AsyncTestClient[Litestar],
    db: async_sessionmaker[AsyncSession],
    make_org: OrgFactory,
    redis_url: str,
) -> None:
    desk = await new_desk(client, db, make_org)
    # costs no other test's lot has (a public price elsewhere in the catalogue would read as a leak)
    lot = await desk.lot(price_minor=4_012_300)  # cost 40123.00
    gone = await desk.lot(metres=2000, price_minor=1_512_300)  # cost 15123.00
    request = await desk.request()
    listener = Redis.from_url(redis_url)
    pubsub = listener.pubsub()
    await pubsub.psubscribe("*")
    # margin 7198.00, commission 7198.00 + 2 % of 40123.00 = 8000.46
    proposal = await desk.proposal(request["id"], [(lot, "47321.00")])
    failing = await desk.proposal(request["id"], [(lot, "47321.00"), (gone, "17777.00")])
    other = await make_org("buyer")
    assert (await client.post(f"/api/lots/{gone}/purchase", headers=other.headers)).status_code == 201
    refused = await client.post(f"/api/proposals/{failing['id']}/accept", headers=desk.buyer.headers)
    assert refused.status_code == 409
    accepted = await client.post(f"/api/proposals/{proposal['id']}/accept", headers=desk.buyer.headers)
    assert accepted.status_code == 201
    secrets = ["40123.00", "4012300", "7198.00", "719800", "8000.46", "800046", "15123.00", "2654.00"]
    words = re.compile(r"\bmargin|\bcommission|\bcost\b|cost_minor", re.I)
    answers = [refused.text, accepted.text]

    order_id = accepted.json()["orders"][0]["id"]
    values = {"proposal_id": str(proposal["id"]), "request_id": str(request["id"]), "order_id": str(order_id)}
    headers = {**desk.buyer.headers, **await page_headers(client, desk.buyer)}
    checked = 0
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith(SWEPT) or "GET" not in route.methods:
            continue
        path = PARAM.sub(lambda m: values.get(m.group(1), "1"), route.path)
        for extra in ({},) if path.startswith("/api") else ({}, {"HX-Request": "true"}):
            client.cookies.clear()
            answer = await client.get(path, headers={**headers, **extra})
            assert answer.status_code < 500, (path, answer.text)
            answers.append(answer.text)
            checked += 1
    # The other proposal, declined, and a decline's answer.
    declined = await client.post(f"/api/proposals/{failing['id']}/decline", json={}, headers=desk.buyer.headers)
    answers.append(declined.text)
    assert checked >= 12
    for text in answers:
        assert not _secrets_in(text, secrets), _secrets_in(text, secrets)
        assert not words.search(text.replace("Commission earned", "")), words.search(text)

    events = []
    while (message := await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)) is not None:
        events.append(message["data"].decode(errors="replace") if isinstance(message["data"], bytes) else "")
    await pubsub.aclose()
    await listener.aclose()
    published = " ".join(events)
    assert not _secrets_in(published, secrets)
    assert not words.search(published)


async def test_an_org_a_private_lot_is_not_shown_to_never_meets_it_on_the_desk(
    app: Litestar, client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    desk = await new_desk(client, db, make_org)
    secret_title = f"Private twill {uuid.uuid4().hex[:8]}"
    insider = await make_org("buyer")
    # Invited: the broker and another buyer, never the client.
    hidden = await desk.lot(
        visibility="private", invited_org_ids=[desk.broker.org_id, insider.org_id], title=secret_title
    )
    small_hidden = await desk.lot(
        metres=1000, price_minor=700_000, visibility="private", invited_org_ids=[insider.org_id], title=secret_title
    )
    public = await desk.lot(metres=2000, price_minor=1_400_000)
    brokered = await desk.request()
    own = await client.post(
        "/api/procurement-requests", json=desk.request_body(client_org_id=None), headers=desk.buyer.headers
    )
    assert own.status_code == 201
    texts: list[str] = []
    named: set[int] = set()
    for actor, request_id in ((desk.broker, brokered["id"]), (desk.buyer, own.json()["id"])):
        for suffix in ("matches", "bundles"):
            answer = await client.get(f"/api/procurement-requests/{request_id}/{suffix}", headers=actor.headers)
            assert answer.status_code == 200
            texts.append(answer.text)
            named |= _lot_ids(answer.json())
        cookies = await page_headers(client, actor)
        for page in (f"/desk/requests/{request_id}", f"/desk/requests/{request_id}/bundles", "/desk"):
            client.cookies.clear()
            answer = await client.get(page, headers=cookies)
            assert answer.status_code == 200
            texts.append(answer.text)
    client.cookies.clear()
    builder = await client.get(
        f"/desk/requests/{brokered['id']}/proposal?lots={hidden}&lots={public}",
        headers=await page_headers(client, desk.broker),
    )
    client.cookies.clear()
    texts.append(builder.text)
    # A proposal with the hidden lot is refused as if the lot did not exist.
    missing = 2_000_000_000
    refusals = []
    for lot_id in (hidden, missing):
        answer = await client.post(
            "/api/proposals",
            json={
                "request_id": brokered["id"],
                "lines": [{"lot_id": lot_id, "client_price": "50000.00"}],
                "valid_until": "2099-01-01T00:00:00Z",
            },
            headers=desk.broker.headers,
        )
        assert answer.status_code == 422
        refusals.append(answer.json()["detail"].replace(str(lot_id), "N"))
    assert refusals[0] == refusals[1]
    made = await desk.proposal(brokered["id"], [(public, "15000.00")])
    for answer in [
        *[
            await client.get(f"/api/proposals/{made['id']}", headers=actor.headers)
            for actor in (desk.broker, desk.buyer)
        ],
        await client.get("/api/proposals", headers=desk.buyer.headers),
    ]:
        texts.append(answer.text)
        named |= _lot_ids(answer.json())
    assert public in named
    assert not {hidden, small_hidden} & named
    for text in texts:
        assert secret_title not in text
        for lot_id in (hidden, small_hidden):
            assert f'/lots/{lot_id}"' not in text
            assert f'value="{lot_id}"' not in text
