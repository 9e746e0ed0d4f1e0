from __future__ import annotations

from exchange.disputes.rules import DISPUTE_MOVES, DISPUTE_STATUSES, dispute_actions, dispute_move


def test_only_the_seller_answers_an_open_dispute() -> None:
    for action in ("accept", "offer", "reject"):
        assert dispute_move(action, "seller", "open") is not None
        assert dispute_move(action, "buyer", "open") is None
        assert dispute_move(action, "seller", "offered") is None


def test_only_an_admin_decides_and_only_an_escalated_dispute() -> None:
    assert dispute_move("decide", "admin", "escalated") is not None
    assert dispute_move("decide", "admin", "open") is None
    assert dispute_move("decide", "seller", "escalated") is None


def test_a_resolved_dispute_allows_nothing() -> None:
    for side in ("buyer", "seller", "admin", "clock"):
        assert dispute_actions("resolved", side) == []


def test_the_buyer_may_take_the_sellers_offer_until_an_admin_decides() -> None:
    assert dispute_actions("offered", "buyer") == ["accept_offer", "escalate", "message"]
    assert "accept_offer" in dispute_actions("escalated", "buyer")


def test_every_move_names_known_statuses() -> None:
    for move in DISPUTE_MOVES:
        assert move.target in DISPUTE_STATUSES
        assert set(move.sources) <= set(DISPUTE_STATUSES)
