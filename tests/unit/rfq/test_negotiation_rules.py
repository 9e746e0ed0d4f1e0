from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest

from exchange.rfq import rules
from exchange.rfq.rules import IllegalMove, OfferState, ThreadState

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=1)


def offer(offer_id: int, side: rules.Side, status: str = "open", valid_until: datetime = LATER) -> OfferState:
    return OfferState(id=offer_id, by_side=side, status=status, valid_until=valid_until)


def thread(*offers: OfferState, status: str = "open", lot_available: bool = True) -> ThreadState:
    return ThreadState(status=status, lot_available=lot_available, offers=offers)


@contextmanager
def refused(code: str) -> Iterator[None]:
    with pytest.raises(IllegalMove) as info:
        yield
    assert info.value.code == code, info.value.reason


def test_the_other_side_may_accept_the_latest_open_offer() -> None:
    state = thread(offer(1, "buyer", "superseded"), offer(2, "seller"))
    assert rules.check_accept(state, "buyer", 2, NOW).id == 2


def test_nobody_accepts_their_own_offer() -> None:
    with refused("own_offer"):
        rules.check_accept(thread(offer(1, "buyer")), "buyer", 1, NOW)


def test_a_superseded_offer_cannot_be_accepted() -> None:
    state = thread(offer(1, "seller", "superseded"), offer(2, "buyer"))
    with refused("offer_superseded"):
        rules.check_accept(state, "buyer", 1, NOW)


def test_an_offer_past_its_valid_until_reads_expired_and_cannot_be_accepted() -> None:
    state = thread(offer(1, "seller", valid_until=NOW - timedelta(seconds=1)))
    assert rules.effective_offer_status(state.offers[0], NOW) == "expired"
    with refused("offer_expired"):
        rules.check_accept(state, "buyer", 1, NOW)


def test_an_offer_expires_exactly_at_its_valid_until() -> None:
    state = thread(offer(1, "seller", valid_until=NOW))
    assert rules.latest_open_offer(state, NOW) is None
    assert rules.latest_open_offer(state, NOW - timedelta(microseconds=1)) is not None


def test_a_withdrawn_offer_cannot_be_accepted() -> None:
    with refused("offer_not_open"):
        rules.check_accept(thread(offer(1, "seller", "withdrawn")), "buyer", 1, NOW)


def test_an_offer_from_another_thread_is_refused() -> None:
    with refused("offer_not_in_thread"):
        rules.check_accept(thread(offer(1, "seller")), "buyer", 99, NOW)


def test_nothing_moves_on_an_ended_thread() -> None:
    for status in ("accepted", "declined", "closed"):
        state = thread(offer(1, "seller"), status=status)
        with refused("thread_closed"):
            rules.check_offer(state, "buyer", NOW)
        with refused("thread_closed"):
            rules.check_accept(state, "buyer", 1, NOW)
        with refused("thread_closed"):
            rules.check_decline(state, "seller")


def test_a_thread_on_a_lot_that_is_gone_reads_closed_and_refuses_moves() -> None:
    state = thread(offer(1, "seller"), lot_available=False)
    assert rules.effective_thread_status(state) == "closed"
    assert rules.next_mover(state, NOW) is None
    with refused("lot_unavailable"):
        rules.check_accept(state, "buyer", 1, NOW)


def test_offers_alternate_while_one_stands() -> None:
    state = thread(offer(1, "buyer"))
    with refused("not_your_turn"):
        rules.check_offer(state, "buyer", NOW)
    standing = rules.check_offer(state, "seller", NOW)
    assert standing is not None
    assert standing.id == 1
    assert rules.next_mover(state, NOW) == "seller"


def test_either_side_may_offer_again_once_the_standing_offer_lapsed_or_was_withdrawn() -> None:
    lapsed = thread(offer(1, "buyer", valid_until=NOW - timedelta(minutes=1)))
    assert rules.check_offer(lapsed, "buyer", NOW) is None
    assert rules.check_offer(lapsed, "seller", NOW) is None
    withdrawn = thread(offer(1, "seller", "withdrawn"))
    assert rules.check_offer(withdrawn, "seller", NOW) is None
    assert rules.next_mover(withdrawn, NOW) is None


def test_only_the_maker_withdraws_a_standing_offer() -> None:
    state = thread(offer(1, "seller"))
    assert rules.check_withdraw(state, "seller", NOW).id == 1
    with refused("nothing_to_withdraw"):
        rules.check_withdraw(state, "buyer", NOW)


def test_validity_defaults_and_bounds() -> None:
    assert rules.validity_window(None, NOW) == NOW + rules.DEFAULT_VALIDITY
    assert rules.validity_window(NOW + timedelta(days=2), NOW) == NOW + timedelta(days=2)
    with pytest.raises(ValueError, match="five minutes"):
        rules.validity_window(NOW - timedelta(hours=1), NOW)
    with pytest.raises(ValueError, match="at most"):
        rules.validity_window(NOW + timedelta(days=365), NOW)


def test_a_delivery_date_in_the_past_is_refused() -> None:
    rules.check_delivery_date(date(2026, 11, 22), date(2026, 11, 22))
    with pytest.raises(ValueError, match="past"):
        rules.check_delivery_date(date(2026, 11, 21), date(2026, 11, 22))


def test_sample_fee_is_units_times_sample_price_in_minor_units() -> None:
    assert rules.sample_fee(12, 1_250) == 15_000
    with pytest.raises(ValueError, match="at least one unit"):
        rules.sample_fee(0, 1_250)


def test_paid_sample_fees_come_off_the_order_amount() -> None:
    assert rules.amount_after_sample_credit(4_000_000, [15_000]) == (3_985_000, 15_000)
    assert rules.amount_after_sample_credit(4_000_000, [15_000, 5_001]) == (3_979_999, 20_001)
    assert rules.amount_after_sample_credit(4_000_000, []) == (4_000_000, 0)


def test_the_sample_credit_never_takes_the_amount_below_zero() -> None:
    assert rules.amount_after_sample_credit(10_000, [25_000]) == (0, 10_000)


def test_sample_orders_move_requested_priced_ordered_shipped() -> None:
    assert rules.check_sample_move("requested", "price", "seller") == "priced"
    assert rules.check_sample_move("priced", "confirm", "buyer") == "ordered"
    assert rules.check_sample_move("ordered", "ship", "seller") == "shipped"
    assert rules.check_sample_move("priced", "decline", "buyer") == "declined"
    with refused("not_your_move"):
        rules.check_sample_move("requested", "price", "buyer")
    with refused("sample_state"):
        rules.check_sample_move("ordered", "decline", "seller")
    with refused("sample_state"):
        rules.check_sample_move("requested", "confirm", "buyer")
