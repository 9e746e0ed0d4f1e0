"""How the order pages word an order: the progress path, the terms, who acted, and the list's filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import msgspec
from markupsafe import Markup

from exchange.i18n.locales import using
from exchange.i18n.messages import localized
from exchange.orders.listing import Goods, OrderFilters
from exchange.orders.rules import STATES
from exchange.orders.schemas import Order
from web.order_words import (
    STATUS_WORDS,
    actor_words,
    deal_in_words,
    linked_records,
    next_step,
    progress,
    terms_in_words,
)


def test_progress_marks_the_steps_done_the_current_one_and_those_to_come() -> None:
    steps = progress("shipped", {"awaiting_payment", "paid", "shipped"})
    assert [(s, mark) for s, _label, mark in steps] == [
        ("awaiting_payment", "done"),
        ("paid", "done"),
        ("shipped", "current"),
        ("delivered", "todo"),
        ("inspecting", "todo"),
        ("settled", "todo"),
    ]


def test_progress_leaves_out_steps_the_order_skipped_and_follows_the_dispute_or_cancel_path() -> None:
    on_credit = progress("shipped", {"awaiting_payment", "shipped"})
    assert ("paid", "Paid (held in escrow)", "done") not in on_credit
    settled = progress("settled", {"awaiting_payment", "paid", "shipped", "delivered", "accepted", "settled"})
    assert ("inspecting", "Inspecting", "done") not in settled
    assert settled[-1] == ("settled", "Settled", "current")
    assert [s for s, _l, _m in progress("resolved", {"disputed", "resolved"})][-2:] == ["disputed", "resolved"]
    assert [s for s, _l, _m in progress("cancelled", {"awaiting_payment", "cancelled"})] == [
        "awaiting_payment",
        "cancelled",
    ]


def test_every_state_has_words_and_a_next_step_for_both_parties() -> None:
    for state in STATES:
        assert state in STATUS_WORDS
        if state != "accepted":  # settled in the same transaction: never seen
            assert next_step(state, "buyer")
            assert next_step(state, "seller")
        assert next_step(state, "admin")


def test_terms_are_worded_and_references_left_out() -> None:
    terms = {"payment_terms": "net30", "packaging": "Remove the logo", "rfq_thread_id": 4, "delivery_by": None}
    assert terms_in_words(terms, "CNY") == [("Packaging", "Remove the logo")]  # payment: in the deal's sentences
    assert terms_in_words({"winning_bid": "31500.00"}, "CNY") == [("Winning bid", "31,500.00 CNY")]
    assert linked_records(terms, "seller") == [("/rfqs/4", "The negotiation that agreed it")]
    assert linked_records({"proposal_id": 9}, "seller") == []  # the seller never sees the broker's proposal


def test_the_deal_reads_as_price_quantity_delivery_inspection_and_payment() -> None:
    order = Order(
        id=1, lot_id=2, buyer_org_id=3, seller_org_id=4, amount="40000.00", currency="CNY", status="paid",
        source="quote", created_at=datetime(2026, 12, 1, tzinfo=UTC),
        terms={"payment_terms": "net45", "delivery_by": "2027-03-01", "delivery_region": "Shanghai"},
    )  # fmt: skip
    goods = Goods(Decimal("5000.0000"), "m", "Suzhou", "Jiangsu", "CN")
    marked = dict(deal_in_words(order, goods, payment_window=timedelta(days=3), inspection_window=timedelta(hours=48)))
    # What the buyer typed is marked as users' text (left untranslated on purpose), the rest reads as plain words.
    assert '<span class="user-text">Shanghai</span>' in marked["Delivery"]
    lines = {label: Markup(sentence).striptags() for label, sentence in marked.items()}
    assert lines == {
        "Price": "40,000.00 CNY for the whole lot",
        "Quantity": "5,000 m, the whole lot",
        "Delivery": "Delivered by 1 Mar 2027, to Shanghai",
        "Inspection": "48 hours after delivery to inspect a sample, then accept or object; without an objection "
        "the order is accepted when the window ends",
        "Payment": "Net 45 days: the seller may ship before payment and the invoice falls due 45 days later",
    }
    prepaid = msgspec.structs.replace(order, terms={})
    words = dict(deal_in_words(prepaid, goods, payment_window=timedelta(days=3), inspection_window=timedelta(days=2)))
    assert Markup(words["Delivery"]).striptags().startswith("Shipped from Suzhou, Jiangsu once paid")
    sneaky = Goods(Decimal("1"), "m", "<b>Suzhou</b>", None, "CN")
    window = timedelta(days=2)
    escaped = dict(deal_in_words(prepaid, sneaky, payment_window=window, inspection_window=window))
    assert "&lt;b&gt;Suzhou&lt;/b&gt;" in escaped["Delivery"]
    assert "<b>" not in escaped["Delivery"]
    assert words["Payment"].startswith("Paid into the exchange's escrow within 3 days")


def test_actors_are_named_from_the_parties() -> None:
    assert actor_words("org:3", "Buyer Co", "Seller Co", 3, 4) == "Buyer Co (buyer)"
    assert actor_words("org:4", "Buyer Co", "Seller Co", 3, 4) == "Seller Co (seller)"
    assert actor_words("admin:9", "B", "S", 3, 4) == "an admin"
    assert actor_words("provider:simulated", "B", "S", 3, 4) == "the payment provider (simulated)"
    assert actor_words("clock", "B", "S", 3, 4).startswith("the exchange's clock")


def test_unknown_filters_mean_no_filter() -> None:
    assert OrderFilters.read("paid", "seller", "30d") == OrderFilters("paid", "seller", "30d")
    assert OrderFilters.read("nonsense", "\x00", "-3") == OrderFilters(None, None, "all")
    assert OrderFilters.read(None, None, None) == OrderFilters()


def test_next_steps_actors_and_terms_read_in_chinese_for_a_chinese_reader() -> None:
    with using("zh_CN"):
        assert localized(next_step("paid", "seller")).startswith("货款已托管")
        assert "Acme" in actor_words("org:7", "Acme", "Mill", 7, 8)
        assert "买方" in actor_words("org:7", "Acme", "Mill", 7, 8)
        assert "交易所时钟" in actor_words("clock", "Acme", "Mill", 7, 8)
        assert terms_in_words({"winning_bid": "31500.00"}, "CNY") == [("Winning bid", "¥31,500.00")]
