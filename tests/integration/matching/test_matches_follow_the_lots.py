"""Matches read lots through the index `ix_lots_match` (the desk's first pass): a price cut, a withdrawal and a
sale made through the exchange's own paths show in the next matches at once."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import OrgFactory
from tests.support.desk import GRADE_C, new_desk


async def test_a_price_cut_a_withdrawal_and_a_sale_show_in_the_next_matches(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
) -> None:
    desk = await new_desk(client, db, make_org)
    cheaper = await desk.lot(**GRADE_C)  # 8.00 CNY/m
    dearer = await desk.lot(price_minor=4_500_000, **GRADE_C)  # 9.00 CNY/m
    request = await desk.request(grades=["C"])
    path = f"/api/procurement-requests/{request['id']}/matches"

    async def matched() -> list[tuple[int, str]]:
        answer = await client.get(path, headers=desk.broker.headers)
        assert answer.status_code == 200, answer.text
        return [(m["lot"]["id"], m["lot"]["price"]) for m in answer.json()["items"]]

    assert await matched() == [(cheaper, "40000.00"), (dearer, "45000.00")]

    cut = await client.post(f"/api/lots/{dearer}/price-cut", json={"price": "30000.00"}, headers=desk.seller.headers)
    assert cut.status_code == 200, cut.text
    assert await matched() == [(dearer, "30000.00"), (cheaper, "40000.00")], "6.00 CNY/m now ranks first"

    withdrawn = await client.post(f"/api/lots/{dearer}/withdraw", headers=desk.seller.headers)
    assert withdrawn.status_code == 200, withdrawn.text
    assert await matched() == [(cheaper, "40000.00")]

    bought = await client.post(f"/api/lots/{cheaper}/purchase", headers=desk.buyer.headers)
    assert bought.status_code == 201, bought.text
    assert await matched() == []
