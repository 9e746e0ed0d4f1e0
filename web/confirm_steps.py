"""Binding steps of the sale panel said in words before they happen: what is committed, the amount, what
follows. With JavaScript the words are a dialog (`data-confirm`); without it the form post answers with a
confirm page whose button posts again with `confirmed=yes`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Request

from exchange.auctions.services import SaleView

__all__ = [
    "ConfirmStep",
    "accept_confirm",
    "accept_step",
    "bid_step",
    "dialog_text",
    "is_confirmed",
    "purchase_step",
    "sale_confirm",
    "withdraw_step",
]


@dataclass(frozen=True, slots=True)
class ConfirmStep:
    heading: str
    amount: str | None
    next: list[str]
    action: str
    button: str
    fields: dict[str, str] = field(default_factory=dict)
    danger: bool = False
    back: str = ""
    """Where Cancel goes (the sale page when empty)."""
    title: str = ""
    """What it is about (the lot's title when empty)."""


def is_confirmed(request: Request[Any, Any, Any], form: dict[str, str]) -> bool:
    """An HTMX post was confirmed in the browser's dialog; a plain form post says so with `confirmed`."""
    return bool(request.headers.get("hx-request")) or form.get("confirmed") == "yes"


def _close_words(view: SaleView) -> str:
    closes = view.lot.closes_at or view.lot.ends_at
    return f"at {closes:%d %b %Y, %H:%M} UTC" if closes else "at the close"


def bid_step(view: SaleView, amount: str, currency: str) -> ConfirmStep:
    lot = view.lot
    pays = (
        "the runner-up's bid (or the reserve), at most your bid"
        if lot.second_price
        else f"your bid of {amount} {currency}"
    )
    lines = [
        f"Your bid is sealed: nobody, the seller included, sees it before the close {_close_words(view)}.",
        f"It binds you: if it is the highest bid at the close, you buy the whole lot and pay {pays} into escrow.",
        "Until the close you may revise or withdraw it; your receipt proves what you bid and when.",
    ]
    if view.my_bid:
        lines.insert(0, f"It replaces your current bid of {view.my_bid.amount} {view.my_bid.currency}.")
    return ConfirmStep(
        heading="Revise your sealed bid?" if view.my_bid else "Place this sealed bid?",
        amount=amount,
        next=lines,
        action=f"/lots/{lot.id}/sale/bid",
        button="Yes, revise my bid" if view.my_bid else "Yes, place my bid",
        fields={"amount": amount, "currency": currency},
    )


def withdraw_step(view: SaleView) -> ConfirmStep:
    amount = view.my_bid.amount if view.my_bid else None
    return ConfirmStep(
        heading="Withdraw your bid?",
        amount=amount,
        next=[
            "Your bid no longer counts: it cannot win the lot.",
            f"You may bid again until the close {_close_words(view)}.",
        ],
        action=f"/lots/{view.lot.id}/sale/withdraw",
        button="Yes, withdraw my bid",
        danger=True,
    )


def purchase_step(view: SaleView) -> ConfirmStep:
    return ConfirmStep(
        heading="Buy the whole lot?",
        amount=view.price,
        next=[
            "The lot is yours at once and an order is made; no other buyer can buy it.",
            f"You pay {view.price} {view.lot.currency} into escrow; the seller ships after the payment.",
            "The seller is paid only after you have received and accepted the goods (or the inspection time passed).",
        ],
        action=f"/lots/{view.lot.id}/sale/purchase",
        button=f"Yes, buy for {view.price} {view.lot.currency}",
    )


def accept_step(
    *, amount: str, currency: str, side: str, action: str, back: str, title: str, fields: dict[str, str]
) -> ConfirmStep:
    """Accepting a quote or counter-offer: binding for both sides, an order at once."""
    pays = (
        f"You pay {amount} {currency} into escrow; the seller ships after the payment."
        if side == "buyer"
        else f"The buyer pays {amount} {currency} into escrow; you ship after the payment."
    )
    return ConfirmStep(
        heading="Accept this offer?",
        amount=amount,
        next=[
            "Accepting binds both sides to these terms: an order is made at once and the negotiation ends.",
            pays,
            "Other open offers on this request or lot are no longer accepted.",
        ],
        action=action,
        button=f"Yes, accept {amount} {currency}",
        fields=fields,
        back=back,
        title=title,
    )


def dialog_text(step: ConfirmStep, currency: str) -> str:
    """The same words as one line for the browser's confirm dialog."""
    amount = f" {step.amount} {currency}" if step.amount else ""
    return f"{step.heading.rstrip('?')}{amount}? " + " ".join(step.next)


def sale_confirm(view: SaleView, kind: str) -> str:
    """The dialog text of a sale panel form (`bid` keeps `{amount}` for the browser to fill in)."""
    currency = view.lot.currency
    if kind == "bid":
        return dialog_text(bid_step(view, "{amount}", currency), currency)
    return dialog_text(withdraw_step(view) if kind == "withdraw" else purchase_step(view), currency)


def accept_confirm(amount: str, currency: str, side: str) -> str:
    """The dialog text of an accept button (`side`: the accepting party)."""
    step = accept_step(amount=amount, currency=currency, side=side, action="", back="", title="", fields={})
    return dialog_text(step, currency)
