"""The order transition table: who may take which action from which state, and the README's diagram of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from exchange.orders import diagram, rules

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_the_agreed_table_rows() -> None:
    expected = {
        ("confirm_payment", "provider", "awaiting_payment"): "paid",
        ("cancel_unpaid", "clock", "awaiting_payment"): "cancelled",
        ("ship", "seller", "paid"): "shipped",
        ("deliver", "buyer", "shipped"): "delivered",
        ("mark_delivered", "seller", "shipped"): "delivered",
        ("inspect", "buyer", "delivered"): "inspecting",
        ("accept", "buyer", "inspecting"): "accepted",
        ("auto_accept", "clock", "delivered"): "accepted",
        ("settle", "system", "accepted"): "settled",
        ("dispute", "buyer", "inspecting"): "disputed",
        ("resolve", "admin", "disputed"): "resolved",
        ("resolve", "seller", "disputed"): "resolved",
        ("resolve", "buyer", "disputed"): "resolved",
    }
    for (action, side, state), target in expected.items():
        row = rules.transition_for(action, state, side)
        assert row is not None, (action, side, state)
        assert row.target == target, (action, side, state)


def test_every_state_and_actor_in_the_table_is_known() -> None:
    for row in rules.TRANSITIONS:
        assert row.actors <= set(rules.ACTORS)
        assert row.sources <= set(rules.STATES)
        assert row.target in (*rules.STATES, "")


@pytest.mark.parametrize(
    ("action", "state", "side"),
    [
        ("ship", "awaiting_payment", "seller"),  # not on credit
        ("accept", "shipped", "buyer"),
        ("accept", "delivered", "seller"),
        ("confirm_payment", "awaiting_payment", "buyer"),
        ("cancel_unpaid", "paid", "clock"),
        ("settle", "delivered", "system"),
    ],
)
def test_wrong_state_or_side_has_no_row(action: str, state: str, side: str) -> None:
    assert rules.transition_for(action, state, side) is None


def test_credit_terms_let_the_seller_ship_before_payment() -> None:
    assert "ship" not in rules.allowed_actions("awaiting_payment", "seller")
    assert "ship" in rules.allowed_actions("awaiting_payment", "seller", {rules.ON_CREDIT})
    assert rules.allowed_actions("shipped", "buyer", {rules.ON_CREDIT}) == ["pay", "deliver"]


def test_finished_states_allow_nothing() -> None:
    for state in rules.FINISHED:
        for side in rules.ACTORS:
            assert [a for a in rules.allowed_actions(state, side) if a != "pay"] == []


def test_allowed_actions_per_side() -> None:
    assert rules.allowed_actions("awaiting_payment", "buyer") == ["pay"]
    assert rules.allowed_actions("delivered", "buyer") == ["inspect", "accept", "dispute"]
    assert rules.allowed_actions("delivered", "seller") == []
    assert rules.sides_for("accept") == {"buyer"}
    assert rules.sides_for("resolve") == {"admin", "seller", "buyer"}


def test_deadlines_start_on_entry_and_remind_a_day_ahead() -> None:
    lengths = {"payment": timedelta(days=3), "inspection": timedelta(hours=48)}
    assert rules.deadlines_after("awaiting_payment", AT, lengths) == {"payment": AT + timedelta(days=3)}
    assert rules.deadlines_after("delivered", AT, lengths) == {"inspection": AT + timedelta(hours=48)}
    assert rules.deadlines_after("paid", AT, lengths) == {}
    due = AT + timedelta(days=3)
    assert rules.reminder_at(due, timedelta(days=3)) == due - timedelta(hours=24)
    assert rules.reminder_at(due, timedelta(hours=12)) is None


def test_the_side_of_a_caller() -> None:
    assert rules.side_of(1, is_admin=False, buyer_org_id=1, seller_org_id=2) == "buyer"
    assert rules.side_of(2, is_admin=False, buyer_org_id=1, seller_org_id=2) == "seller"
    assert rules.side_of(None, is_admin=True, buyer_org_id=1, seller_org_id=2) == "admin"
    assert rules.side_of(3, is_admin=False, buyer_org_id=1, seller_org_id=2) is None


def test_the_diagram_draws_every_move() -> None:
    text = rules.mermaid()
    for row in rules.TRANSITIONS:
        if row.target:
            for source in row.sources:
                assert f"{source} --> {row.target}: {row.action}" in text


def test_the_readme_diagram_is_up_to_date() -> None:
    assert diagram.main(["--check"]) == 0, "README's order diagram is stale: run scripts/order-diagram"
