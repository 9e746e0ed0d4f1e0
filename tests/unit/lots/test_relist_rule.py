"""The one rule of relisting: which lots may be relisted, and whether in place or as a new lot."""

from __future__ import annotations

import pytest

from exchange.errors import Conflict
from exchange.lots.rules import RELIST_AS_NEW_LOT, RELIST_IN_PLACE, RelistFacts, may_relist, relist_way


def facts(**changes: object) -> RelistFacts:
    base: dict[str, object] = {
        "status": "awarded",
        "sale_mode": "sealed_bid",
        "live_order": False,
        "unpaid_order": True,
        "open_runner_up_offer": False,
        "relisted_as": None,
    }
    base.update(changes)
    return RelistFacts(**base)  # type: ignore[arg-type]


def code(lot: RelistFacts) -> str:
    with pytest.raises(Conflict) as refused:
        relist_way(lot)
    return str(refused.value.code)


def test_a_sealed_bid_lot_whose_buyer_did_not_pay_is_relisted_as_a_new_lot_once_the_seller_stopped() -> None:
    assert relist_way(facts()) == RELIST_AS_NEW_LOT
    assert code(facts(open_runner_up_offer=True)) == "runner_up_offer_open"
    assert code(facts(live_order=True)) == "not_relistable"  # a runner-up accepted: its order is live
    assert code(facts(relisted_as=7)) == "already_relisted"
    assert code(facts(unpaid_order=False)) == "not_relistable"  # paid, or never sold
    assert code(facts(status="live", unpaid_order=False)) == "not_relistable"
    assert may_relist(facts(open_runner_up_offer=True)) is None


def test_a_fixed_price_lot_is_relisted_in_place_when_it_is_off_sale_or_its_buyer_did_not_pay() -> None:
    for status in ("expired", "withdrawn"):
        assert relist_way(facts(sale_mode="fixed_price", status=status, unpaid_order=False)) == RELIST_IN_PLACE
    assert relist_way(facts(sale_mode="fixed_price", status="sold")) == RELIST_IN_PLACE
    assert code(facts(sale_mode="fixed_price", status="sold", live_order=True)) == "not_relistable"
    assert code(facts(sale_mode="fixed_price", status="live", unpaid_order=False)) == "not_relistable"
    assert code(facts(sale_mode="fixed_price", status="expired", relisted_as=3)) == "already_relisted"
