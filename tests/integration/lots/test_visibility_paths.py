"""One table of who sees which lot, three paths that must agree on it: the rule (`lots.visibility.may_see_lot`,
its one home), its SQL form (`visible_lots_clause`, behind GET /api/lots/{id}), and the bid engine's Lua
scripts (place_bid.lua, withdraw_bid.lua, purchase.lua on a real redis-server), which answer NOT_FOUND
(`lot_not_found`) for a lot the caller may not see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from exchange.accounts.principal import Principal
from exchange.lots.visibility import may_see_lot
from tests.conftest import Actor, OrgFactory
from tests.support.catalogue import POWER_BANK, body, post_lot, publish
from tests.support.lots import lot_body
from tests.support.waiting import eventually

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


async def _lot_in(client: AsyncTestClient[Litestar], seller: Actor, status: str, terms: dict[str, Any]) -> int:
    """A lot of `seller`'s brought to `status` the way a seller and the clock bring it there (through the API)."""
    if status == "in_review":  # a power bank without its 3C certificate waits for an administrator
        lot = await post_lot(client, seller, body(POWER_BANK, **_audience(terms)))
        assert (await publish(client, seller, lot["id"]))["status"] == "in_review"
        return int(lot["id"])
    closes_at = datetime.now(UTC) + timedelta(seconds=2) if status == "unsold" else None
    lot = await post_lot(client, seller, msgspec.to_builtins(lot_body(closes_at=closes_at, **terms)))
    if status == "draft":
        return int(lot["id"])
    assert (await publish(client, seller, lot["id"]))["status"] == "live"
    if status == "unsold":  # no bid by its close: the scheduler closes it unsold
        await eventually(lambda: _has_status(client, seller, lot["id"], "unsold"), within=20)
    return int(lot["id"])


def _audience(terms: dict[str, Any]) -> dict[str, Any]:
    return {key: terms[key] for key in ("visibility", "invited_org_ids")}


async def _has_status(client: AsyncTestClient[Litestar], seller: Actor, lot_id: int, status: str) -> bool | None:
    answer = await client.get(f"/api/lots/{lot_id}", headers=seller.headers)
    return True if answer.json()["status"] == status else None


async def test_sql_and_the_engines_lua_scripts_agree_with_the_table(
    client: AsyncTestClient[Litestar],
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
        invitations = [invited.org_id or 0] if visibility == "private" else []
        audience = {"visibility": visibility, "invited_org_ids": invitations}
        sealed = await _lot_in(client, seller, status, audience)
        # A fixed-price twin for purchase.lua: only a live lot is in the engine (the calls below skip the rest).
        fixed_terms = {**audience, "sale_mode": "fixed_price", "price_minor": 100_00}
        fixed = await _lot_in(client, seller, status, fixed_terms) if status == "live" else sealed
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
