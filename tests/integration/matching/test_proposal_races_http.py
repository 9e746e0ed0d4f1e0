"""Races over HTTP: a proposal's acceptance against a purchase of one of its lots, and two proposals
racing for one lot. All or nothing: never part of a proposal bought, never two orders for a lot."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import OrgFactory
from tests.support.desk import new_desk
from tests.support.parallel import Call, fire_together
from tests.support.rfq import count_orders


async def test_a_purchase_a_moment_earlier_means_the_acceptance_buys_nothing_and_names_the_lot(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    desk = await new_desk(client, db, make_org)
    purchaser = await make_org("buyer")
    kept, contested = await desk.lot(), await desk.lot(metres=2000, price_minor=1_500_000)
    request = await desk.request()
    proposal = await desk.proposal(request["id"], [(kept, "45000.00"), (contested, "16000.00")])
    purchase = Call("POST", f"/api/lots/{contested}/purchase", purchaser.headers)
    accept = Call("POST", f"/api/proposals/{proposal['id']}/accept", desk.buyer.headers, {}, delay=0.3)
    bought, accepted = fire_together(client, [purchase, accept])
    assert bought.status_code == 201, bought.text
    assert accepted.status_code == 409, accepted.text
    assert accepted.json()["unavailable_lot_ids"] == [contested]
    assert await count_orders(db, contested) == 1
    assert await count_orders(db, kept) == 0


async def test_an_acceptance_and_a_purchase_at_once_make_one_order_and_never_half_a_proposal(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    desk = await new_desk(client, db, make_org)
    purchaser = await make_org("buyer")
    for round_ in range(3):
        kept, contested = await desk.lot(), await desk.lot(metres=2000, price_minor=1_500_000)
        request = await desk.request()
        proposal = await desk.proposal(request["id"], [(kept, "45000.00"), (contested, "16000.00")])
        calls = [
            Call("POST", f"/api/lots/{contested}/purchase", purchaser.headers),
            Call("POST", f"/api/proposals/{proposal['id']}/accept", desk.buyer.headers, {}),
        ]
        if round_ % 2:
            calls.reverse()
        answers = fire_together(client, calls)
        assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
        assert await count_orders(db, contested) == 1
        accept_answer = answers[1] if round_ % 2 == 0 else answers[0]
        assert await count_orders(db, kept) == (1 if accept_answer.status_code == 201 else 0)


async def test_two_proposals_racing_for_one_lot_make_one_order(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    first = await new_desk(client, db, make_org)
    second = await new_desk(client, db, make_org)
    second.colour = first.colour
    lot = await first.lot()
    proposals = []
    for desk in (first, second):
        request = await desk.request()
        proposals.append((desk, await desk.proposal(request["id"], [(lot, "45000.00")])))
    answers = fire_together(
        client, [Call("POST", f"/api/proposals/{p['id']}/accept", d.buyer.headers, {}) for d, p in proposals]
    )
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    loser = next(a for a in answers if a.status_code == 409)
    assert loser.json()["unavailable_lot_ids"] == [lot]
    assert await count_orders(db, lot) == 1
