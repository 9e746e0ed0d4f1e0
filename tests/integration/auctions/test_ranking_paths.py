"""One table of sealed bids, three paths that must agree on it: the Python rules (`auctions.rules`, the
ranking's one home), the bids as place_bid.lua / withdraw_bid.lua record them in a real redis-server
(ranked with `rank_bids`), and the close's SQL (`award_lot`: ORDER BY `ranking_order_by` ... LIMIT 2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.auctions.closing import award_lot
from exchange.auctions.engine._space import database_space
from exchange.auctions.rules import RankedBid, decide_award, rank_bids
from exchange.auctions.scripts import LotKeys
from tests.conftest import Actor, OrgFactory
from tests.support.lots import live_lot

WITHDRAW = None


@dataclass(frozen=True)
class Case:
    name: str
    moves: Sequence[tuple[str, int | None]]
    """(bidder "A"/"B"/"C", amount in yuan, or WITHDRAW), in the order they happen."""
    winner: str | None
    runner_up: str | None
    price: int | None
    lot: dict[str, Any] = field(default_factory=dict)
    """The lot's reserve_price_minor, min_bid_minor, second_price."""


CASES = [
    Case("highest bid wins", [("A", 500), ("B", 700), ("C", 600)], "B", "C", 700),
    Case("a tie goes to the earlier bid", [("A", 700), ("B", 700)], "A", "B", 700),
    Case("re-stating the same amount keeps its place", [("A", 700), ("B", 700), ("A", 700)], "A", "B", 700),
    Case("raising and coming back loses the place", [("A", 700), ("B", 700), ("A", 800), ("A", 700)], "B", "A", 700),
    Case("a withdrawn bid does not count", [("A", 900), ("B", 700), ("A", WITHDRAW)], "B", None, 700),
    Case(
        "bidding again after withdrawing is a new place",
        [("A", 700), ("A", WITHDRAW), ("B", 700), ("A", 700)],
        "B",
        "A",
        700,
    ),
    Case(
        "second price pays the runner-up", [("A", 900), ("B", 700), ("C", 100)], "A", "B", 700, {"second_price": True}
    ),
    Case(
        "second price never below the reserve",
        [("A", 900), ("B", 700)],
        "A",
        "B",
        800,
        {"second_price": True, "reserve_price_minor": 800_00},
    ),
    Case(
        "second price alone pays the minimum bid",
        [("A", 900)],
        "A",
        None,
        300,
        {"second_price": True, "min_bid_minor": 300_00},
    ),
    Case("second price with a tie at the top", [("A", 800), ("B", 800)], "A", "B", 800, {"second_price": True}),
    Case(
        "below the reserve nothing is awarded",
        [("A", 499), ("B", 300)],
        None,
        "B",
        None,
        {"reserve_price_minor": 500_00},
    ),
    Case("at the reserve it sells", [("A", 500)], "A", None, 500, {"reserve_price_minor": 500_00}),
]


def current_bids(case: Case, org_ids: dict[str, int]) -> list[RankedBid]:
    """The bids that stand after the moves: each move takes the next sequence number, and a bidder who
    re-states the amount they already have keeps that amount's place (what place_bid.lua does)."""
    standing: dict[str, RankedBid] = {}
    for seq, (who, amount) in enumerate(case.moves, start=1):
        if amount is None:
            standing.pop(who)
            continue
        before = standing.get(who)
        place = before.rank_seq if before is not None and before.amount_minor == amount * 100 else seq
        standing[who] = RankedBid(org_ids[who], amount * 100, place)
    return list(standing.values())


def _expected(case: Case) -> tuple[str | None, int | None]:
    return case.winner, None if case.price is None else case.price * 100


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_the_python_rules_give_the_tables_outcome(case: Case) -> None:
    org_ids = {"A": 1, "B": 2, "C": 3}
    names = {org_id: name for name, org_id in org_ids.items()}
    bids = current_bids(case, org_ids)
    award = decide_award(
        bids,
        reserve_minor=case.lot.get("reserve_price_minor"),
        second_price=case.lot.get("second_price", False),
        min_bid_minor=case.lot.get("min_bid_minor"),
    )
    ranked = [names[bid.bidder_org_id] for bid in rank_bids(bids)]
    assert [*ranked, None][1] == case.runner_up
    assert (names[award.winner.bidder_org_id] if award.winner else None, award.price_minor) == _expected(case)


async def _bids_in_redis(redis: Redis, space: str, lot_id: int) -> list[RankedBid]:
    """The lot's current bids as the Lua scripts recorded them: "revision:amount:placed_us:rank_seq:nonce"
    (in this database's key space: the SQLite and PostgreSQL runs share one redis-server)."""
    bids = []
    for bidder, packed in (await redis.hgetall(LotKeys(lot_id, space).bids)).items():
        _revision, amount, placed_us, rank_seq, _nonce = packed.decode().split(":")
        if amount:
            bids.append(RankedBid(int(bidder), int(amount), int(rank_seq), int(placed_us)))
    return bids


async def test_the_lua_scripts_and_the_sql_close_agree_with_the_rules_on_every_case(
    client: AsyncTestClient[Litestar],
    db: async_sessionmaker[AsyncSession],
    make_org: OrgFactory,
    redis_url: str,
) -> None:
    seller = await make_org("seller")
    buyers: dict[str, Actor] = {name: await make_org("buyer") for name in "ABC"}
    names = {actor.org_id: name for name, actor in buyers.items()}
    redis = Redis.from_url(redis_url)
    space = await database_space(db)
    try:
        for case in CASES:
            lot_id = await live_lot(db, seller, **case.lot)
            for who, amount in case.moves:
                headers = buyers[who].headers
                if amount is None:
                    answer = await client.delete(f"/api/lots/{lot_id}/bids/mine", headers=headers)
                else:
                    answer = await client.post(
                        f"/api/lots/{lot_id}/bids", json={"amount": str(amount)}, headers=headers
                    )
                assert answer.status_code in (201, 204), (case.name, answer.text)

            ranked = [names[bid.bidder_org_id] for bid in rank_bids(await _bids_in_redis(redis, space, lot_id))]
            assert ranked[:1] == [case.winner or ranked[0]], case.name  # the top bid, even under the reserve
            assert [*ranked, None][1] == case.runner_up, case.name

            result = await award_lot(db, lot_id)
            assert result is not None, case.name
            assert (names.get(result.winner_org_id), result.price_minor) == _expected(case), case.name
    finally:
        await redis.aclose()
