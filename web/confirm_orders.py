"""Binding steps around orders said in words before they happen (the twin of `web.confirm_steps` for the sale
panel): accepting a broker's proposal (the lots and the total the client pays, never the broker's cost),
buying a lot offered as the runner-up, accepting the goods (escrow released to the seller) and accepting the
seller's partial refund in a dispute."""

from __future__ import annotations

from exchange.disputes.schemas import Dispute
from exchange.i18n.messages import Msg
from exchange.matching.schemas import ProposalForClient
from exchange.orders.schemas import Order, RunnerUpOffer
from web.confirm_steps import ConfirmStep, dialog_text, money_words

__all__ = ["dispute_offer_step", "goods_step", "order_confirm", "proposal_step", "runner_up_step"]


def proposal_step(proposal: ProposalForClient, *, bid_consent: bool, idempotency_key: str) -> ConfirmStep:
    """All or nothing: every lot the proposal buys, each with the client's price, and the total."""
    total = money_words(proposal.total, proposal.currency)
    lots = [
        Msg("{title}: {price}", title=line.title, price=money_words(line.client_price, proposal.currency)).render()
        for line in proposal.lines
    ]
    fields = {"idempotency_key": idempotency_key}
    if bid_consent:
        fields["bid_consent"] = "yes"
    return ConfirmStep(
        heading=Msg("Accept this proposal of {count} lots?", count=len(proposal.lines)).render(),
        amount=proposal.total,
        next=[
            Msg(
                "All or nothing: every fixed-price lot below is bought at once, or none if one is no longer available."
            ).render(),
            Msg(
                "You pay {amount} in all into escrow, one order per lot; each seller ships after the payment.",
                amount=total,
            ).render(),
            *lots,
        ],
        action=f"/proposals/{proposal.id}/accept",
        button=Msg("Yes, accept for {amount}", amount=total).render(),
        fields=fields,
        back=f"/proposals/{proposal.id}",
        title=Msg("Proposal #{id}", id=proposal.id).render(),
    )


def runner_up_step(offer: RunnerUpOffer) -> ConfirmStep:
    price = money_words(offer.amount, offer.currency)
    return ConfirmStep(
        heading=Msg("Buy the lot at your final bid?").render(),
        amount=offer.amount,
        next=[
            Msg(
                "The lot is yours at once and an order is made at your own final bid of {amount}.", amount=price
            ).render(),
            Msg("You pay {amount} into escrow; the seller ships after the payment.", amount=price).render(),
        ],
        action=f"/runner-up-offers/{offer.id}/accept",
        button=Msg("Yes, buy for {amount}", amount=price).render(),
        back=f"/runner-up-offers/{offer.id}",
        title=Msg("Runner-up offer #{id}", id=offer.id).render(),
    )


def goods_step(order: Order) -> ConfirmStep:
    price = money_words(order.amount, order.currency)
    return ConfirmStep(
        heading=Msg("Accept the goods?").render(),
        amount=order.amount,
        next=[
            Msg(
                "{amount} leaves escrow for the seller (less the exchange's fee); this cannot be undone.", amount=price
            ).render(),
            Msg("You can no longer object to the goods or open a dispute on this order.").render(),
        ],
        action=f"/orders/{order.id}/accept",
        button=Msg("Yes, accept the goods").render(),
        back=f"/orders/{order.id}",
        title=order.lot_title or Msg("Order #{id}", id=order.id).render(),
    )


def dispute_offer_step(dispute: Dispute) -> ConfirmStep:
    """The buyer takes the seller's partial refund: the dispute ends and the rest of the escrow goes to the seller."""
    refund = money_words(dispute.offer or "0", dispute.currency)
    return ConfirmStep(
        heading=Msg("Accept a refund of {amount}?", amount=refund).render(),
        amount=dispute.offer or "0",
        next=[
            Msg(
                "{amount} comes back to you from escrow; the rest of the order's payment goes to the seller.",
                amount=refund,
            ).render(),
            Msg("The dispute ends here: no admin decides it and it cannot be reopened.").render(),
        ],
        action=f"/disputes/{dispute.id}/accept-offer",
        button=Msg("Yes, accept {amount}", amount=refund).render(),
        back=f"/disputes/{dispute.id}",
        title=Msg("Dispute #{id}", id=dispute.id).render(),
    )


def order_confirm(thing: ProposalForClient | RunnerUpOffer | Order | Dispute) -> str:
    """The dialog text of the accept button of a proposal, a runner-up offer, an order's goods or a dispute offer."""
    if isinstance(thing, ProposalForClient):
        return dialog_text(proposal_step(thing, bid_consent=False, idempotency_key=""), thing.currency)
    if isinstance(thing, Dispute):
        return dialog_text(dispute_offer_step(thing), thing.currency)
    step = runner_up_step(thing) if isinstance(thing, RunnerUpOffer) else goods_step(thing)
    return dialog_text(step, thing.currency)
