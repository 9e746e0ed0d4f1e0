"""How the order pages put an order into words: its source, terms, timeline, deadlines and what comes next.

Presentation only: the states, moves and deadlines themselves live in `exchange.orders.rules`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from markupsafe import Markup

from exchange.i18n.catalog import N_, gettext
from exchange.i18n.formatting import date_text, money_text, number_text
from exchange.i18n.messages import Money, Msg
from exchange.orders.listing import Goods
from exchange.orders.schemas import Order

__all__ = [
    "ACTION_WORDS",
    "DEADLINE_WORDS",
    "PERIOD_WORDS",
    "SOURCE_WORDS",
    "STATUS_WORDS",
    "actor_words",
    "deal_in_words",
    "linked_records",
    "next_step",
    "progress",
    "terms_in_words",
]

SOURCE_WORDS = {
    "award": N_("Won at a sealed-bid sale"),
    "purchase": N_("Bought at the fixed price"),
    "quote": N_("Agreed through a request for quotation"),
    "proposal": N_("From a broker's proposal"),
    "runner_up": N_("Offered to the runner-up bidder at its own bid"),
}

STATUS_WORDS = {
    "awaiting_payment": N_("Awaiting payment"),
    "paid": N_("Paid (held in escrow)"),
    "shipped": N_("Shipped"),
    "delivered": N_("Delivered"),
    "inspecting": N_("Inspecting"),
    "accepted": N_("Accepted"),
    "settled": N_("Settled"),
    "disputed": N_("Disputed"),
    "resolved": N_("Resolved"),
    "cancelled": N_("Cancelled"),
}

ACTION_WORDS = {
    "create": N_("Order placed"),
    "confirm_payment": N_("Payment confirmed and held in escrow"),
    "pay_invoice": N_("Credit invoice paid"),
    "cancel_unpaid": N_("Cancelled: the payment deadline passed"),
    "ship": N_("Shipped"),
    "deliver": N_("Delivery confirmed by the buyer"),
    "mark_delivered": N_("Marked delivered by the seller, with proof"),
    "inspect": N_("Sample inspection recorded"),
    "accept": N_("Goods accepted by the buyer"),
    "auto_accept": N_("Accepted automatically: the inspection window ended"),
    "settle": N_("Settled: the seller's net is payable"),
    "dispute": N_("The buyer objected (dispute opened)"),
    "resolve": N_("Dispute resolved"),
}

DEADLINE_WORDS = {
    "payment": N_("Payment due"),
    "inspection": N_("Inspection window closes"),
    "invoice": N_("Credit invoice due"),
    "dispute_answer": N_("The seller answers the dispute by"),
    "admin_decision": N_("An admin decides by"),
}

PERIOD_WORDS = {
    "7d": N_("Last 7 days"),
    "30d": N_("Last 30 days"),
    "90d": N_("Last 90 days"),
    "365d": N_("Last year"),
    "all": N_("Any time"),
}

_TERM_LABELS = {
    "payment_terms": N_("Payment terms"),
    "delivery_by": N_("Delivery by"),
    "delivery_region": N_("Delivery to"),
    "packaging": N_("Packaging"),
    "quoted_price": N_("Quoted price"),
    "sample_fee_credited": N_("Sample fee credited"),
    "winning_bid": N_("Winning bid"),
    "pricing": N_("Pricing"),
    "margin_minor": N_("Broker's margin (minor units)"),
    "commission_percent": N_("Broker's commission (%)"),
}
_PAYMENT_TERMS = {"prepay": N_("Prepay"), "net30": N_("Net 30 days"), "net45": N_("Net 45 days")}
_PRICING = {"second_price": N_("second price (the winner pays the runner-up's bid)"), "first_price": N_("first price")}
_HIDDEN_TERMS = {"rfq_thread_id", "offer_id", "offer_version", "proposal_id", "broker_org_id", "runner_up_offer_id"}
_DEAL_TERMS = {"payment_terms", "delivery_by", "delivery_region"}
"""Terms `deal_in_words` already puts into sentences."""
_NET_DAYS = {"net30": 30, "net45": 45}


def _typed(text: str) -> Markup:
    """What a user typed (a place, a region) inside a sentence of ours: escaped and marked as users' text."""
    return Markup('<span class="user-text">{}</span>').format(text)


def _hours(window: timedelta) -> int:
    return max(1, round(window.total_seconds() / 3600))


def deal_in_words(
    order: Order, goods: Goods | None, *, payment_window: timedelta, inspection_window: timedelta
) -> list[tuple[str, str]]:
    """(label, sentence) for price, quantity, delivery, inspection and payment: the deal as a person reads it."""
    terms = order.terms
    lines: list[tuple[str, str]] = []
    lines.append((N_("Price"), Msg("{price} for the whole lot", price=Money(order.amount, order.currency)).render()))
    if goods is not None:
        quantity = f"{number_text(goods.quantity.normalize())} {goods.unit}"
        lines.append((N_("Quantity"), Msg("{quantity}, the whole lot", quantity=quantity).render()))
    place = ", ".join(part for part in (goods.city, goods.region) if part) if goods is not None else ""
    delivery_by = terms.get("delivery_by")
    region = terms.get("delivery_region")
    if delivery_by:
        when = date_text(_as_date(delivery_by)) or str(delivery_by)
        delivery = Msg("Delivered by {date}", date=when).render()
        if region:
            sentence = Msg("{delivery}, to {region}", delivery=delivery, region=_typed(str(region))).render()
            delivery = Markup(sentence)  # noqa: S704 - our catalogue's words; the user's region is escaped by _typed
    elif place:
        sentence = Msg(
            "Shipped from {place} once paid; the seller records the carrier and tracking number here",
            place=_typed(place),
        ).render()
        delivery = Markup(sentence)  # noqa: S704 - our catalogue's words; the user's place is escaped by _typed
    else:
        delivery = Msg("Shipped once paid; the seller records the carrier and tracking number here").render()
    lines.append((N_("Delivery"), delivery))
    lines.append(
        (
            N_("Inspection"),
            Msg(
                "{hours} hours after delivery to inspect a sample, then accept or object; without an objection the "
                "order is accepted when the window ends",
                hours=_hours(inspection_window),
            ).render(),
        )
    )
    net_days = _NET_DAYS.get(str(terms.get("payment_terms", "")))
    if net_days is not None:
        payment = Msg(
            "Net {days} days: the seller may ship before payment and the invoice falls due {days} days later",
            days=net_days,
        ).render()
    else:
        payment = Msg(
            "Paid into the exchange's escrow within {days} days of the order; the seller is paid only once the "
            "buyer accepts the goods",
            days=max(1, round(payment_window.total_seconds() / 86400)),
        ).render()
    lines.append((N_("Payment"), payment))
    return lines


def _as_date(value: object) -> date | datetime | None:
    text = str(value)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if "T" in text else date.fromisoformat(text)
    except ValueError:
        return None


_LINKS = {
    "rfq_thread_id": ("/rfqs/{}", N_("The negotiation that agreed it"), ("buyer", "seller")),
    "proposal_id": ("/proposals/{}", N_("The broker's proposal"), ("buyer",)),
    "runner_up_offer_id": ("/runner-up-offers/{}", N_("The runner-up offer"), ("buyer",)),
}


def linked_records(terms: dict[str, Any], side: str) -> list[tuple[str, str]]:
    """(href, label) of the records an order came from that the viewer's side may open (no bare ids)."""
    links = []
    for key, (path, label, sides) in _LINKS.items():
        value = terms.get(key)
        if value not in (None, "") and side in sides:
            links.append((path.format(int(value)), label))
    return links


def terms_in_words(terms: dict[str, Any], currency: str) -> list[tuple[str, str]]:
    """(label, words) for each term worth reading; references to other records are linked elsewhere."""
    lines = []
    for key, value in terms.items():
        if key in _HIDDEN_TERMS or key in _DEAL_TERMS or value in (None, ""):
            continue
        if key == "payment_terms":
            words = f"{gettext(_PAYMENT_TERMS.get(str(value), str(value)))} ({value})"
        elif key == "pricing":
            words = _PRICING.get(str(value), str(value))
        elif key in ("quoted_price", "sample_fee_credited", "winning_bid"):
            words = money_text(value, currency)
        else:
            words = str(value)
        lines.append((_TERM_LABELS.get(key, key.replace("_", " ").capitalize()), words))
    return lines


def actor_words(by: str, buyer: str, seller: str, buyer_org_id: int, seller_org_id: int) -> str:
    """Who took a timeline step: the org's name, an admin, the payment provider or the clock."""
    if by == f"org:{buyer_org_id}":
        return Msg("{org} (buyer)", org=buyer).render()
    if by == f"org:{seller_org_id}":
        return Msg("{org} (seller)", org=seller).render()
    if by.startswith("admin:"):
        return Msg("an admin").render()
    if by.startswith("provider:"):
        return Msg("the payment provider ({provider})", provider=by.split(":", 1)[1]).render()
    if by == "clock":
        return Msg("the exchange's clock (a deadline)").render()
    return Msg("the exchange").render()


_HAPPY = ("awaiting_payment", "paid", "shipped", "delivered", "inspecting", "settled")
_DISPUTED = ("awaiting_payment", "paid", "shipped", "delivered", "disputed", "resolved")


def progress(status: str, reached: set[str]) -> list[tuple[str, str, str]]:
    """The path the order is on as (state, label, "done" | "current" | "todo"); skipped steps drop out."""
    if status == "cancelled":
        path: tuple[str, ...] = ("awaiting_payment", "cancelled")
    elif status in ("disputed", "resolved"):
        path = _DISPUTED
    else:
        path = _HAPPY
    current = "settled" if status == "accepted" else status
    steps = []
    seen_current = False
    for state in path:
        if state == current:
            steps.append((state, STATUS_WORDS[state], "current"))
            seen_current = True
        elif not seen_current:
            if state in reached or state in ("awaiting_payment",):
                steps.append((state, STATUS_WORDS[state], "done"))
        else:
            steps.append((state, STATUS_WORDS[state], "todo"))
    return steps


_NEXT: dict[tuple[str, str], str] = {
    ("awaiting_payment", "buyer"): N_("Pay the order: the money is held in escrow until you accept the goods."),
    ("awaiting_payment", "seller"): N_(
        "Waiting for the buyer's payment. Ship once it is paid (or now, on credit terms)."
    ),
    ("paid", "buyer"): N_("Paid and held in escrow. The seller ships next."),
    ("paid", "seller"): N_("The payment is held in escrow: ship the goods and record the shipment."),
    ("shipped", "buyer"): N_("On its way. Confirm delivery when the goods arrive; the inspection window opens then."),
    ("shipped", "seller"): N_("Shipped. The buyer confirms delivery, or you mark it delivered with proof."),
    ("delivered", "buyer"): N_("Inspect a sample, then accept the goods or object within the inspection window."),
    ("delivered", "seller"): N_(
        "Delivered. The buyer inspects; without objection the order is accepted and you are paid."
    ),
    ("inspecting", "buyer"): N_("Accept the goods, or object with the inspection before the window closes."),
    ("inspecting", "seller"): N_("The buyer is inspecting. Without objection the order is accepted and you are paid."),
    ("settled", "buyer"): N_("Accepted and settled: the seller is paid."),
    ("settled", "seller"): N_("Settled: your net is payable and goes out with the next payout batch."),
    ("disputed", "buyer"): N_("You objected. Follow the dispute: the seller answers, or an admin decides."),
    ("disputed", "seller"): N_("The buyer objected. Answer the dispute: accept, offer a partial refund, or reject."),
    ("resolved", "buyer"): N_("The dispute is resolved; any refund is owed to you."),
    ("resolved", "seller"): N_("The dispute is resolved; what you keep is payable."),
    ("cancelled", "buyer"): N_("Cancelled: it was not paid in time."),
    ("cancelled", "seller"): N_("Cancelled for non-payment; the lot may be offered again."),
}


def next_step(status: str, side: str) -> str:
    if side == "admin":
        return {
            "disputed": N_("Disputed: see the dispute; an escalated one waits in the arbitration queue."),
        }.get(status, N_("You see this order as an admin; the two parties act on it."))
    return _NEXT.get((status, side), "")
