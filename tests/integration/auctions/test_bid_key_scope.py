"""An Idempotency-Key names one bid: sent again to another lot it is a 422, and that lot gets no bid."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import OrgFactory
from tests.support.lots import live_lot
from tests.support.parallel import Call, fire_together


async def test_a_bid_key_sent_again_to_another_lot_is_refused_and_bids_nothing_there(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    first_lot, second_lot = [await live_lot(db, seller) for _ in range(2)]
    keyed = {**buyer.headers, "Idempotency-Key": "bid-66-k"}

    first = await client.post(f"/api/lots/{first_lot}/bids", json={"amount": "300"}, headers=keyed)
    assert first.status_code == 201, first.text
    reused = await client.post(f"/api/lots/{second_lot}/bids", json={"amount": "300"}, headers=keyed)
    assert reused.status_code == 422, reused.text
    assert (reused.json()["field"], reused.json()["code"]) == ("Idempotency-Key", "idempotency_key_reused")
    assert reused.headers["content-type"].startswith("application/problem+json")

    nothing = await client.get(f"/api/lots/{second_lot}/bids/mine", headers=buyer.headers)
    assert nothing.status_code == 404
    lot_view = await client.get(f"/api/lots/{second_lot}", headers=buyer.headers)
    assert lot_view.json()["bid_count"] == 0
    replay = await client.post(f"/api/lots/{first_lot}/bids", json={"amount": "300"}, headers=keyed)
    assert replay.json() == first.json()

    fresh = await client.post(
        f"/api/lots/{second_lot}/bids", json={"amount": "300"}, headers={**buyer.headers, "Idempotency-Key": "new"}
    )
    assert fresh.status_code == 201, fresh.text
    assert fresh.json()["revision"] == 1  # the refused bid left no trace in the lot's state


async def test_one_key_sent_to_several_lots_at_once_bids_on_exactly_one(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    lots = [await live_lot(db, seller) for _ in range(4)]
    keyed = {**buyer.headers, "Idempotency-Key": "one-bid-many-lots"}

    answers = fire_together(client, [Call("POST", f"/api/lots/{lot}/bids", keyed, {"amount": "500"}) for lot in lots])
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [201, 422, 422, 422], [answer.text[:200] for answer in answers]
    placed_on = {answer.json()["lot_id"] for answer in answers if answer.status_code == 201}
    for lot in lots:
        mine = await client.get(f"/api/lots/{lot}/bids/mine", headers=buyer.headers)
        assert mine.status_code == (200 if lot in placed_on else 404)
