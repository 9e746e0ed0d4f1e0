from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import Actor, OrgFactory
from tests.support.catalogue import body, post_lot, publish, unique_place


async def test_a_private_lot_does_not_exist_for_an_uninvited_buyer(
    client: AsyncTestClient[Litestar], make_org: OrgFactory, admin: Actor
) -> None:
    seller, invited, outsider = await make_org("seller"), await make_org("buyer"), await make_org("buyer")
    place = unique_place()
    public = await publish(client, seller, (await post_lot(client, seller, body(city=place)))["id"])
    private = await publish(
        client,
        seller,
        (
            await post_lot(
                client,
                seller,
                body(
                    city=place,
                    grade="B",
                    defects="Crease marks on 5% of the rolls.",
                    visibility="private",
                    invited_org_ids=[invited.org_id],
                    sale={"mode": "fixed_price", "price": "9999.00"},
                ),
            )
        )["id"],
    )
    search = f"/api/lots?location={place}&category=textiles&spec.width.gte=140cm"

    hidden = await client.get(f"/api/lots/{private['id']}", headers=outsider.headers)
    assert hidden.status_code == 404
    assert hidden.json()["detail"] == (await client.get("/api/lots/2147483000", headers=outsider.headers)).json()[
        "detail"
    ].replace("2147483000", str(private["id"]))
    for headers in (outsider.headers, {}):
        page = (await client.get(search, headers=headers)).json()
        assert [lot["id"] for lot in page["items"]] == [public["id"]]
        assert page["total"] == 1
        assert page["facets"]["grade"] == {"A": 1}
        assert page["facets"]["category"] == {"textiles": 1, "textiles/fabric": 1}
        assert "9999" not in str(page)
        assert (await client.get(f"/api/lots?location={place}&grade=B", headers=headers)).json()["total"] == 0

    for insider in (invited, seller, admin):
        page = (await client.get(search, headers=insider.headers)).json()
        assert {lot["id"] for lot in page["items"]} == {public["id"], private["id"]}
        assert page["total"] == 2
        assert page["facets"]["grade"] == {"A": 1, "B": 1}
        assert (await client.get(f"/api/lots/{private['id']}", headers=insider.headers)).status_code == 200

    seen_by_invited = (await client.get(f"/api/lots/{private['id']}", headers=invited.headers)).json()
    assert "invited_org_ids" not in seen_by_invited
    assert (await client.get(f"/api/lots/{private['id']}", headers=seller.headers)).json()["invited_org_ids"] == [
        invited.org_id
    ]


async def test_only_buyer_or_broker_orgs_can_be_invited_and_only_to_private_lots(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller, other_seller = await make_org("seller"), await make_org("seller")
    for bad in (
        body(visibility="private", invited_org_ids=[other_seller.org_id]),
        body(visibility="private", invited_org_ids=[2_000_000_000]),
        body(visibility="public", invited_org_ids=[other_seller.org_id]),
    ):
        response = await client.post("/api/lots", json=bad, headers=seller.headers)
        assert response.status_code == 422
        assert response.json()["field"] == "invited_org_ids"


async def test_a_seller_invites_another_buyer_to_a_live_private_lot_and_nobody_else_can(
    client: AsyncTestClient[Litestar], make_org: OrgFactory
) -> None:
    seller, first, later, other_seller = (
        await make_org("seller"),
        await make_org("buyer"),
        await make_org("buyer"),
        await make_org("seller"),
    )
    lot = await post_lot(client, seller, body(visibility="private", invited_org_ids=[first.org_id]))
    assert (await publish(client, seller, lot["id"]))["status"] == "live"
    url = f"/api/lots/{lot['id']}/invitations"
    assert (await client.get(f"/api/lots/{lot['id']}", headers=later.headers)).status_code == 404

    # Not the seller: the uninvited buyer does not see the lot, the invited one may not change it.
    assert (await client.post(url, json={"org_ids": [later.org_id]}, headers=later.headers)).status_code == 404
    assert (await client.post(url, json={"org_ids": [later.org_id]}, headers=first.headers)).status_code == 403
    # Only buyer or broker organisations, and at least one; a refusal invites nobody.
    refused = await client.post(url, json={"org_ids": [later.org_id, other_seller.org_id]}, headers=seller.headers)
    assert (refused.status_code, refused.json()["field"]) == (422, "invited_org_ids")
    assert (await client.post(url, json={"org_ids": []}, headers=seller.headers)).status_code == 422
    assert (await client.get(f"/api/lots/{lot['id']}", headers=later.headers)).status_code == 404

    invited = await client.post(url, json={"org_ids": [later.org_id, first.org_id]}, headers=seller.headers)
    assert invited.status_code == 200, invited.text
    assert (await client.get(f"/api/lots/{lot['id']}", headers=later.headers)).status_code == 200
    assert (await client.get(f"/api/lots/{lot['id']}", headers=first.headers)).status_code == 200


async def test_a_public_lot_takes_no_invitations(client: AsyncTestClient[Litestar], make_org: OrgFactory) -> None:
    seller, buyer = await make_org("seller"), await make_org("buyer")
    lot = await post_lot(client, seller, body())
    answer = await client.post(
        f"/api/lots/{lot['id']}/invitations", json={"org_ids": [buyer.org_id]}, headers=seller.headers
    )
    assert answer.status_code == 422
