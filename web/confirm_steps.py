"""Binding steps of the sale panel said in words before they happen: what is committed, the amount, what
follows. With JavaScript the words are a dialog (`data-confirm`); without it the form post answers with a
confirm page whose button posts again with `confirmed=yes`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Request

from exchange.auctions.services import SaleView
from exchange.i18n.formatting import money_text
from exchange.i18n.messages import Msg, When

__all__ = [
    "ConfirmStep",
    "accept_confirm",
    "accept_step",
    "bid_step",
    "dialog_text",
    "is_confirmed",
    "money_words",
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


def money_words(amount: str, currency: str) -> str:
    """An amount per the reader's locale; the `{amount}` the browser fills in stays as it is, with its currency."""
    shown = money_text(amount, currency)
    return shown if shown != amount else f"{amount} {currency}"


def _close_words(view: SaleView) -> str:
    closes = view.lot.closes_at or view.lot.ends_at
    return Msg("at {time}", time=When(closes)).render() if closes else Msg("at the close").render()


def bid_step(view: SaleView, amount: str, currency: str) -> ConfirmStep:
    lot = view.lot
    pays = (
        Msg("the runner-up's bid (or the reserve), at most your bid").render()
        if lot.second_price
        else Msg("your bid of {amount}", amount=money_words(amount, currency)).render()
    )
    lines = [
        Msg(
            "Your bid is sealed: nobody, the seller included, sees it before the close {close}.",
            close=_close_words(view),
        ).render(),
        Msg(
            "It binds you: if it is the highest bid at the close, you buy the whole lot and pay {pays} into escrow.",
            pays=pays,
        ).render(),
        Msg("Until the close you may revise or withdraw it; your receipt proves what you bid and when.").render(),
    ]
    if view.my_bid:
        current = money_words(view.my_bid.amount, view.my_bid.currency)
        lines.insert(0, Msg("It replaces your current bid of {amount}.", amount=current).render())
    return ConfirmStep(
        heading=Msg("Revise your sealed bid?").render() if view.my_bid else Msg("Place this sealed bid?").render(),
        amount=amount,
        next=lines,
        action=f"/lots/{lot.id}/sale/bid",
        button=Msg("Yes, revise my bid").render() if view.my_bid else Msg("Yes, place my bid").render(),
        fields={"amount": amount, "currency": currency},
    )


def withdraw_step(view: SaleView) -> ConfirmStep:
    amount = view.my_bid.amount if view.my_bid else None
    return ConfirmStep(
        heading=Msg("Withdraw your bid?").render(),
        amount=amount,
        next=[
            Msg("Your bid no longer counts: it cannot win the lot.").render(),
            Msg("You may bid again until the close {close}.", close=_close_words(view)).render(),
        ],
        action=f"/lots/{view.lot.id}/sale/withdraw",
        button=Msg("Yes, withdraw my bid").render(),
        danger=True,
    )


def purchase_step(view: SaleView) -> ConfirmStep:
    price = money_words(view.price or "", view.lot.currency)
    return ConfirmStep(
        heading=Msg("Buy the whole lot?").render(),
        amount=view.price,
        next=[
            Msg("The lot is yours at once and an order is made; no other buyer can buy it.").render(),
            Msg("You pay {amount} into escrow; the seller ships after the payment.", amount=price).render(),
            Msg(
                "The seller is paid only after you have received and accepted the goods"
                " (or the inspection time passed)."
            ).render(),
        ],
        action=f"/lots/{view.lot.id}/sale/purchase",
        button=Msg("Yes, buy for {amount}", amount=price).render(),
    )


def accept_step(
    *, amount: str, currency: str, side: str, action: str, back: str, title: str, fields: dict[str, str]
) -> ConfirmStep:
    """Accepting a quote or counter-offer: binding for both sides, an order at once."""
    shown = money_words(amount, currency)
    pays = (
        Msg("You pay {amount} into escrow; the seller ships after the payment.", amount=shown)
        if side == "buyer"
        else Msg("The buyer pays {amount} into escrow; you ship after the payment.", amount=shown)
    )
    return ConfirmStep(
        heading=Msg("Accept this offer?").render(),
        amount=amount,
        next=[
            Msg(
                "Accepting binds both sides to these terms: an order is made at once and the negotiation ends."
            ).render(),
            pays.render(),
            Msg("Other open offers on this request or lot are no longer accepted.").render(),
        ],
        action=action,
        button=Msg("Yes, accept {amount}", amount=shown).render(),
        fields=fields,
        back=back,
        title=title,
    )


def dialog_text(step: ConfirmStep, currency: str) -> str:
    """The same words as one line for the browser's confirm dialog."""
    amount = f" {money_words(step.amount, currency)}" if step.amount else ""
    heading = step.heading.rstrip("?\uff1f")  # a full-width question mark ends a Chinese heading
    return f"{heading}{amount}? " + " ".join(step.next)


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
