"""The stack's own ceiling for the HTTP benchmark: Litestar decoding the bid body and making one EVALSHA.

Served by granian with one worker exactly like the exchange: `granian --interface asgi --factory
benchmarks._bare_app:create_app` with BENCH_REDIS_URL pointing at the same Redis.
"""

from __future__ import annotations

import os

import msgspec
from litestar import Litestar, post
from redis.asyncio import Redis

__all__ = ["create_app"]


class BidIn(msgspec.Struct, forbid_unknown_fields=True):
    amount: str
    currency: str = "CNY"


class Answer(msgspec.Struct):
    lot_id: int
    amount: str


def create_app() -> Litestar:
    redis = Redis.from_url(os.environ["BENCH_REDIS_URL"], max_connections=200)
    do_nothing = redis.register_script("return 0")

    @post("/bids/{lot_id:int}", status_code=201)
    async def bid(lot_id: int, data: BidIn) -> Answer:
        await do_nothing(keys=[f"lot:{{{lot_id}}}"], args=[data.amount])
        return Answer(lot_id=lot_id, amount=data.amount)

    return Litestar([bid])
