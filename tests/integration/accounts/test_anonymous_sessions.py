"""Anonymous browsing stores nothing in Redis: a session exists only once there is something to keep."""

from __future__ import annotations

import redis.asyncio as aioredis
from litestar import Litestar
from litestar.testing import AsyncTestClient

from exchange.accounts.sessions import ANONYMOUS_SESSION_SECONDS
from tests.conftest import OrgFactory
from tests.support.catalogue import body, post_lot, publish
from tests.support.pages import PageSession

SESSION_KEYS = "exchange:sessions*"


async def _session_keys(redis_url: str) -> set[bytes]:
    client = aioredis.Redis.from_url(redis_url)
    try:
        return {key async for key in client.scan_iter(match=SESSION_KEYS, count=1000)}
    finally:
        await client.aclose()


async def test_300_anonymous_page_views_leave_no_session_in_redis_and_set_no_session_cookie(
    client: AsyncTestClient[Litestar], make_org: OrgFactory, redis_url: str
) -> None:
    seller = await make_org("seller")
    lot = await post_lot(client, seller, body())
    await publish(client, seller, lot["id"])
    before = await _session_keys(redis_url)
    paths = ["/", "/lots", f"/lots/{lot['id']}", "/login", "/register"]
    for index in range(300):
        client.cookies.clear()  # a new visitor each time (crawlers keep no cookies)
        answer = await client.get(paths[index % len(paths)])
        assert answer.status_code == 200
        assert not any(h.startswith("sx_session=") for h in answer.headers.get_list("set-cookie"))
    assert await _session_keys(redis_url) - before == set()


async def test_a_signed_in_session_is_kept_and_signing_out_leaves_only_a_short_lived_anonymous_one(
    client: AsyncTestClient[Litestar], make_org: OrgFactory, redis_url: str
) -> None:
    buyer = await make_org("buyer")
    browser = PageSession(client)
    before = await _session_keys(redis_url)
    try:
        await browser.sign_in(buyer)
        signed_in = await _session_keys(redis_url) - before
        assert len(signed_in) == 1
        assert (await browser.get("/dashboard")).status_code == 200
        redis = aioredis.Redis.from_url(redis_url)
        try:
            assert await redis.ttl(next(iter(signed_in))) > ANONYMOUS_SESSION_SECONDS  # 14 days
            await browser.post("/logout")
            left = await _session_keys(redis_url) - before
            assert not left & signed_in  # the signed-in session is gone
            for key in left:  # at most the sign-out message, kept for an hour
                assert 0 < await redis.ttl(key) <= ANONYMOUS_SESSION_SECONDS
        finally:
            await redis.aclose()
    finally:
        browser.close()
