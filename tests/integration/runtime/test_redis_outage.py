"""While Redis is down: anonymous pages work, everything that needs Redis is a 503 with Retry-After
(problem+json on the API, an error page on pages), never a 500; once it is back, all works again."""

from __future__ import annotations

import asyncio
import os
import signal
import threading

import httpx
import msgspec

from exchange.live.channels import lot_channel, publish_event
from tests.conftest import DEMO_PASSWORD, unique_email
from tests.support.catalogue import body, post_lot, publish
from tests.support.pages import page_headers
from tests.support.stack import Stack, private_stack

SEALED = {"mode": "sealed_bid", "reserve_price": "30000.00", "min_bid": "20000.00"}


def _kill_redis(stack: Stack) -> None:
    process = stack.redis_server._process
    assert process is not None
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=5)


def _assert_unavailable(answer: httpx.Response, *, api: bool) -> None:
    assert answer.status_code == 503, answer.text
    assert int(answer.headers["retry-after"]) > 0
    if api:
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["code"] == "redis_unavailable"
    else:
        assert answer.headers["content-type"].startswith("text/html")
        assert "briefly unavailable" in answer.text


async def test_a_redis_outage_is_a_503_with_retry_after_where_redis_is_needed_and_nothing_else() -> None:
    async with private_stack(scheduler=False) as stack:
        client = stack.client
        seller, buyer = await stack.make_org("seller"), await stack.make_org("buyer")
        lot = await post_lot(client, seller, body(sale=SEALED))
        await publish(client, seller, lot["id"])
        signed_in = await page_headers(client, buyer)
        _kill_redis(stack)

        for path in ("/", "/lots", f"/lots/{lot['id']}", "/login", f"/api/lots/{lot['id']}"):
            client.cookies.clear()  # an anonymous visitor
            assert (await client.get(path)).status_code == 200, path
        assert (await client.get("/api/me", headers=buyer.headers)).status_code == 200  # tokens need no Redis

        for path in ("/dashboard", "/lots", f"/lots/{lot['id']}", "/events/me", f"/events/lots/{lot['id']}"):
            _assert_unavailable(await client.get(path, headers={"Cookie": signed_in["Cookie"]}), api=False)
        login = await client.get("/login")
        form = {"email": buyer.email, "password": DEMO_PASSWORD, "_csrf_token": client.cookies.get("sx_csrf") or ""}
        _assert_unavailable(await client.post("/login", data=form), api=False)  # the sign-in limit is in Redis
        assert login.status_code == 200
        token = await client.post("/api/auth/token", json={"email": buyer.email, "password": DEMO_PASSWORD})
        _assert_unavailable(token, api=True)
        client.cookies.clear()
        assert (await client.get("/register")).status_code == 200
        sign_up = {
            "name": "Outage Person",
            "email": unique_email("outage"),
            "password": DEMO_PASSWORD,
            "org_name": "Outage Trading",
            "org_kind": "buyer",
            "_csrf_token": client.cookies.get("sx_csrf") or "",
        }
        signed_up = await client.post("/register", data=sign_up, follow_redirects=False)  # its new session
        assert signed_up.status_code == 503
        assert int(signed_up.headers["retry-after"]) > 0
        bid = await client.post(f"/api/lots/{lot['id']}/bids", json={"amount": "25000.00"}, headers=buyer.headers)
        assert bid.status_code == 503
        assert bid.headers["retry-after"]

        stack.redis_server.ensure_running()
        token = await client.post("/api/auth/token", json={"email": buyer.email, "password": DEMO_PASSWORD})
        assert token.status_code == 200
        dashboard = await client.get("/dashboard", headers={"Cookie": signed_in["Cookie"]})
        assert dashboard.status_code == 200  # the session survived in the append-only file


async def test_a_live_subscription_made_while_redis_is_down_gets_its_events_once_redis_is_back() -> None:
    async with private_stack(scheduler=False) as stack:
        state, channel = stack.client.app.state, lot_channel(7)
        subscribed = threading.Event()

        async def keep_publishing() -> None:  # until the deferred subscription is made and hears one
            while True:
                publish_event(state.runtime, channel, "count", {"count": 1})
                await asyncio.sleep(0.2)

        async def listen() -> bytes:  # in the app's event loop, like an SSE stream's
            async with state.channels.start_subscription([channel]) as subscriber:
                subscribed.set()
                publisher = asyncio.ensure_future(keep_publishing())
                try:
                    async with asyncio.timeout(10):
                        async for raw in subscriber.iter_events():
                            return bytes(raw)
                finally:
                    publisher.cancel()
            raise AssertionError("the subscription ended")

        _kill_redis(stack)
        listening = asyncio.ensure_future(asyncio.to_thread(stack.client.blocking_portal.call, listen))
        await asyncio.to_thread(subscribed.wait, 5)
        assert subscribed.is_set()
        assert not listening.done()
        stack.redis_server.ensure_running()
        raw = await listening
        heard = msgspec.json.decode(raw)
        assert heard.pop("id")  # the id of its entry in the lot's event log (resume with Last-Event-ID)
        assert heard == {"event": "count", "data": {"count": 1}}
