"""One table of who sees which lot, three paths that must agree on it: the rule (`lots.visibility.may_see_lot`,
its one home), its SQL form (`visible_lots_clause`, behind GET /api/lots/{id}), and the bid engine's Lua
scripts (place_bid.lua, withdraw_bid.lua, purchase.lua on a real redis-server), which answer NOT_FOUND
(`lot_not_found`) for a lot the caller may not see."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange.accounts.principal import Principal
from exchange.lots.visibility import may_see_lot
from tests.conftest import Actor, OrgFactory
from tests.support.lots import insert_live_lot

VIEWERS = ("seller", "invited", "stranger", "anonymous", "admin")
"""The lot's seller org, a buyer org on its invitation list, any other buyer org, nobody signed in, an admin."""

TABLE = {
    # (visibility, status): whether each of VIEWERS sees it, Y or N, in VIEWERS' order
    ("public", "live"): "YYYYY",
    ("private", "live"): "YYNNY",
    ("private", "unsold"): "YYNNY",
    ("public", "draft"): "YNNNY",
    ("private", "in_review"): "YNNNY",
}
ROWS = [
    (visibility, status, viewer, sees[i] == "Y")
    for (visibility, status), sees in TABLE.items()
    for i, viewer in enumerate(VIEWERS)
]


def _principal(viewer: str, org_ids: dict[str, int]) -> Principal | None:
    if viewer == "anonymous":
        return None
    org_id = org_ids.get(viewer)
    return Principal(1, "x@example.com", "X", viewer == "admin", org_id, "Org" if org_id else None, "buyer", True)


@pytest.mark.parametrize(("visibility", "status", "viewer", "sees"), ROWS)
def test_the_rule_gives_the_tables_answer(visibility: str, status: str, viewer: str, sees: bool) -> None:
    org_ids = {"seller": 10, "invited": 20, "stranger": 30}
    principal = _principal(viewer, org_ids)
    invited = viewer == "invited"
    assert may_see_lot(principal, seller_org_id=10, visibility=visibility, status=status, invited=invited) is sees


async def test_sql_and_the_engines_lua_scripts_agree_with_the_table(
    client: AsyncTestClient[Litestar],
    db: async_sessionmaker[AsyncSession],
    make_org: OrgFactory,
    admin: Actor,
) -> None:
    seller, invited, stranger = await make_org("seller"), await make_org("buyer"), await make_org("buyer")
    actors: dict[str, Actor | None] = {
        "seller": seller,
        "invited": invited,
        "stranger": stranger,
        "anonymous": None,
        "admin": admin,
    }
    disagreements = []
    for (visibility, status), sees in TABLE.items():
        lot_fields = {"visibility": visibility, "status": status, "invited_org_ids": (invited.org_id or 0,)}
        sealed = await insert_live_lot(db, seller.org_id or 0, **lot_fields)
        fixed = await insert_live_lot(
            db, seller.org_id or 0, sale_mode="fixed_price", price_minor=100_00, closes_at=None, **lot_fields
        )
        for viewer, expected in zip(VIEWERS, sees, strict=True):
            actor = actors[viewer]
            headers = actor.headers if actor is not None else {}
            where = f"{visibility} {status} lot, {viewer}"
            seen = (await client.get(f"/api/lots/{sealed}", headers=headers)).status_code == 200
            if seen != (expected == "Y"):
                disagreements.append(f"SQL: {where}")
            if status != "live" or actor is None or actor.org_id is None:
                continue  # the engine holds only listed lots, and acts only for organisations
            calls = [
                ("withdraw_bid.lua", client.delete(f"/api/lots/{sealed}/bids/mine", headers=headers)),
                ("place_bid.lua", client.post(f"/api/lots/{sealed}/bids", json={"amount": "500"}, headers=headers)),
                ("purchase.lua", client.post(f"/api/lots/{fixed}/purchase", headers=headers)),
            ]
            for script, call in calls:
                answer = await call
                code = answer.json().get("code") if answer.content else None
                if (code == "lot_not_found") == (expected == "Y"):
                    disagreements.append(f"{script}: {where} ({answer.status_code} {code})")
    assert disagreements == []
