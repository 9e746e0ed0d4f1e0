"""Each channel's bounded event log: what a client reconnecting with Last-Event-ID is sent first."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from exchange.live.replay import LOG_MAX_EVENTS, append_and_publish, log_key, read_after
from tests.conftest import OrgFactory


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def _publish(redis: Redis, channel: str, event: str, data: dict[str, int]) -> str:
    event_id = await append_and_publish(redis, channel, msgspec.json.encode({"event": event, "data": data}))
    return event_id.decode() if isinstance(event_id, bytes) else str(event_id)


async def test_a_reconnecting_client_gets_exactly_the_events_after_its_last_id(redis: Redis) -> None:
    channel = f"lot:test-{uuid.uuid4().hex}"
    ids = [await _publish(redis, channel, "bids", {"count": count}) for count in (1, 2, 3)]

    missed = await read_after(redis, [channel], ids[0])

    assert [event_id for event_id, _ in missed] == ids[1:]
    assert [msgspec.json.decode(raw)["data"]["count"] for _, raw in missed] == [2, 3]
    assert [event_id for event_id, _ in await read_after(redis, [channel], "0-0")] == ids
    assert await read_after(redis, [channel], ids[-1]) == []


async def test_the_live_message_carries_the_id_of_its_log_entry(redis: Redis) -> None:
    channel = f"org:test-{uuid.uuid4().hex}"
    pubsub = redis.pubsub()
    await pubsub.subscribe(channel)
    while (await pubsub.get_message(timeout=1.0) or {}).get("type") != "subscribe":
        pass
    event_id = await _publish(redis, channel, "notification", {"n": 1})
    message = None
    while message is None or message["type"] != "message":
        message = await pubsub.get_message(timeout=2.0)
    await pubsub.aclose()
    assert msgspec.json.decode(message["data"]) == {"id": event_id, "event": "notification", "data": {"n": 1}}


async def test_the_log_is_bounded_and_expires(redis: Redis) -> None:
    channel = f"lot:test-{uuid.uuid4().hex}"
    for count in range(LOG_MAX_EVENTS * 2 + 200):
        await _publish(redis, channel, "bids", {"count": count})
    kept = await redis.xlen(log_key(channel))
    assert LOG_MAX_EVENTS <= kept < LOG_MAX_EVENTS * 2  # trimmed (approximately, as Redis does it cheaply)
    assert 0 < await redis.ttl(log_key(channel)) <= 24 * 3600


async def test_a_malformed_last_event_id_replays_nothing(redis: Redis) -> None:
    channel = f"lot:test-{uuid.uuid4().hex}"
    await _publish(redis, channel, "bids", {"count": 1})
    assert await read_after(redis, [channel], "yesterday") == []


async def test_an_api_client_is_answered_in_problem_json_and_a_page_keeps_its_sign_in_redirect(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    refused = await client.get("/events/me", headers={"Authorization": "Bearer not-a-token"})
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "bad_token"
    hidden = await client.get("/events/lots/2000000000", headers=(await make_org("buyer")).headers)
    assert hidden.status_code == 404
    assert hidden.headers["content-type"] == "application/problem+json"
    page = await client.get("/events/me", follow_redirects=False)
    assert page.status_code in (302, 303)
    assert page.headers["location"].startswith("/login")
