"""Paying for an order (or for its credit invoice) through the configured provider, and the provider's callback.

The callback is idempotent: the payment row moves from `pending` to `confirmed` by one conditional
UPDATE, so of any number of replays (concurrent or not) exactly one moves money and the order.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.errors import Forbidden, NotFound, ServiceUnavailable, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.money import format_minor, parse_money
from exchange.orders import audit_trail, credit, deadlines, escrow, rules, schemas
from exchange.orders.errors import BAD_SIGNATURE, PAYMENT_MISMATCH, PAYMENT_NOT_FOUND, UNKNOWN_PROVIDER
from exchange.orders.models import Order, Payment
from exchange.orders.notices import tell
from exchange.orders.services import load_for, order_facts
from exchange.orders.transitions import apply, check, facts_of, record_event, refuse
from exchange.payments.providers import PaymentProvider, PaymentRequest, Refused
from exchange.payments.registry import provider_for
from exchange.runtime import Runtime

__all__ = ["confirm_payment", "start_payment"]


def _provider(runtime: Runtime, name: str | None = None) -> PaymentProvider:
    provider = provider_for(runtime.settings, name)
    if provider is None:
        raise ServiceUnavailable(
            "Payments are not available right now (no such payment provider).", code=UNKNOWN_PROVIDER
        )
    return provider


def _started(provider: PaymentProvider, payment: Payment) -> schemas.PaymentStarted:
    amount = format_minor(payment.amount_minor, payment.currency) or "0"
    request = PaymentRequest(payment.id, amount, payment.currency, f"order {payment.order_id}")
    return schemas.PaymentStarted(
        payment_id=payment.id,
        status=payment.status,
        amount=amount,
        currency=payment.currency,
        purpose=payment.purpose,
        instructions=schemas.PaymentInstructions(**provider.instructions(request)),
    )


async def start_payment(
    session: AsyncSession, runtime: Runtime, principal: Principal, order_id: int
) -> schemas.PaymentStarted:
    """The buyer pays: the order (awaiting payment) or, shipped on credit, its invoice. Asking again while a
    payment is pending gives that payment back."""
    order, side = await load_for(session, principal, order_id, lock=True)
    facts = await order_facts(session, order)
    if rules.transition_for("pay", order.status, side, facts) is None:
        raise refuse(order, "pay", side, facts)
    purpose = "order" if order.status == "awaiting_payment" else "invoice"
    provider = _provider(runtime)
    pending = await session.scalar(
        select(Payment).where(
            Payment.order_id == order.id,
            Payment.purpose == purpose,
            Payment.status == "pending",
            Payment.provider == provider.name,
        )
    )
    if pending is None:
        pending = Payment(
            id="pay_" + secrets.token_hex(12),
            order_id=order.id,
            purpose=purpose,
            provider=provider.name,
            amount_minor=await escrow.amount_due(session, order),
            currency=order.currency,
            status="pending",
            created_at=runtime.clock.now(),
        )
        session.add(pending)
        await session.flush()
    return _started(provider, pending)


async def confirm_payment(
    session: AsyncSession, runtime: Runtime, payment_id: str, headers: Mapping[str, str], body: bytes
) -> schemas.PaymentConfirmed:
    """The provider's signed callback: verify it, then confirm the payment once (replays change nothing)."""
    payment = await session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(Msg("There is no payment {payment}.", payment=payment_id), code=PAYMENT_NOT_FOUND)
    try:
        callback = _provider(runtime, payment.provider).verify(headers, body)
    except Refused as refused:
        raise Forbidden(str(refused), code=BAD_SIGNATURE, title="Callback refused") from None
    amount = parse_money(callback.amount, payment.currency, field="amount", allow_zero=True) if callback.amount else -1
    if callback.payment_id != payment.id or callback.currency != payment.currency or amount != payment.amount_minor:
        raise Unprocessable(
            N_("The callback does not match this payment (id, amount or currency)."), code=PAYMENT_MISMATCH
        )
    now = runtime.clock.now()
    order = await session.scalar(
        select(Order).where(Order.id == payment.order_id).with_for_update().execution_options(populate_existing=True)
    )
    assert order is not None
    if callback.succeeded:
        claimed = await session.execute(
            update(Payment)
            .where(Payment.id == payment.id, Payment.status == "pending")
            .values(status="confirmed", confirmed_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(claimed, "rowcount", 0) == 1:
            await _confirmed(session, runtime, order, payment, now)
    await session.refresh(payment)
    return schemas.PaymentConfirmed(
        payment_id=payment.id, status=payment.status, order_id=order.id, order_status=order.status
    )


async def _confirmed(session: AsyncSession, runtime: Runtime, order: Order, payment: Payment, now: datetime) -> None:
    actor = rules.Actor.provider(payment.provider)
    if payment.purpose == "order":
        check(order, "confirm_payment", actor.side, facts_of(order))
        await escrow.payment_confirmed(session, order, payment.amount_minor, now)
        await apply(session, order, "confirm_payment", actor, now, detail={"payment_id": payment.id})
        await tell(
            session,
            order,
            "seller",
            kind="order_paid",
            title=Msg("paid"),
            body=Msg("The buyer's payment is held in escrow. Ship the goods and record the shipment."),
            runtime=runtime,
        )
        return
    # an invoice for goods shipped on credit
    order.invoice_paid_at = now
    await escrow.invoice_paid(session, order, payment.amount_minor, now)
    await credit.release(session, order.buyer_org_id, payment.amount_minor)
    await deadlines.close(session, order.id, ("invoice",), now)
    await record_event(session, order, "pay_invoice", actor, now, {"payment_id": payment.id})
    await session.flush()
    await audit_trail.order_changed(
        session, order, "pay_invoice", actor, now, before=order.status, changes={"invoice_paid_at": now}
    )
