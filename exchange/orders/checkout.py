"""The order page's "Pay now": start the payment, and complete it when the provider's instructions say how.

The built-in `simulated` provider's instructions are its own signed callback to this exchange (what the
bank would send once the transfer arrives). Completing them in-process goes through the very same
`confirm_payment` as the webhook, signature check included, so the page pays exactly as the API does.
A provider whose instructions point elsewhere (a real bank's payment page) leaves the payment pending,
and the page sends the payer on.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.orders import payment_flow, schemas
from exchange.runtime import Runtime

__all__ = ["PayNow", "pay_now"]


@dataclass(frozen=True, slots=True)
class PayNow:
    started: schemas.PaymentStarted
    confirmed: schemas.PaymentConfirmed | None
    """None when the payer still has to act at the provider (`started.instructions.path`)."""


def _own_callback(started: schemas.PaymentStarted) -> bool:
    how = started.instructions
    return how.method.upper() == "POST" and how.path == f"/api/payments/{started.payment_id}/confirm"


async def pay_now(session: AsyncSession, runtime: Runtime, principal: Principal, order_id: int) -> PayNow:
    """The buyer pays the order (or its credit invoice) now, in the caller's transaction."""
    started = await payment_flow.start_payment(session, runtime, principal, order_id)
    if not _own_callback(started):
        return PayNow(started, None)
    body = msgspec.json.encode(started.instructions.body)
    confirmed = await payment_flow.confirm_payment(
        session, runtime, started.payment_id, started.instructions.headers, body
    )
    return PayNow(started, confirmed)
