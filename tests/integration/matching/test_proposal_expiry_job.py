"""The proposal expiry job: a sent proposal past its validity date shows as expired, decided by the runtime's clock."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.app import SCHEDULED_JOBS
from exchange.clock import ManualClock
from tests.conftest import OrgFactory
from tests.support.desk import new_desk
from tests.support.runtime import runtime_in_this_loop


async def test_a_sent_proposal_past_its_validity_date_expires_and_a_decided_one_keeps_its_state(
    client: AsyncTestClient[Litestar],
    db: async_sessionmaker[AsyncSession],
    make_org: OrgFactory,
    redis_url: str,
) -> None:
    desk = await new_desk(client, db, make_org)
    first, second = await desk.lot(), await desk.lot()
    request = await desk.request()
    # Both valid for five days from now.
    sent = await desk.proposal(request["id"], [(first, "45000.00")])
    declined = await desk.proposal(request["id"], [(second, "45000.00")])
    answer = await client.post(
        f"/api/proposals/{declined['id']}/decline", json={"reason": "Too dear"}, headers=desk.buyer.headers
    )
    assert answer.status_code == 200, answer.text
    (expire,) = [job for job in SCHEDULED_JOBS if job.name == "matching.expire-proposals"]
    clock = ManualClock()
    redis = Redis.from_url(redis_url)
    try:
        async with runtime_in_this_loop(client.app.state.runtime, redis, db) as runtime:
            manual = dataclasses.replace(runtime, clock=clock)
            await expire.run(manual)
            assert await _status(client, desk.buyer.headers, sent["id"]) == ("sent", ["accept", "decline"])
            clock.advance(timedelta(days=5, seconds=1).total_seconds())
            await expire.run(manual)
            await expire.run(manual)  # a second run changes nothing
    finally:
        await redis.aclose()
    assert await _status(client, desk.buyer.headers, sent["id"]) == ("expired", [])
    assert await _status(client, desk.broker.headers, sent["id"]) == ("expired", [])
    assert await _status(client, desk.buyer.headers, declined["id"]) == ("declined", [])


async def _status(
    client: AsyncTestClient[Litestar], headers: dict[str, str], proposal_id: int
) -> tuple[str, list[str]]:
    answer = await client.get(f"/api/proposals/{proposal_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return body["status"], body["allowed_actions"]
