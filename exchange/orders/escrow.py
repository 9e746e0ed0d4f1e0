"""Every movement of an order's money (and of bid deposits), in one module, as balanced ledger entries.

Each step is keyed by its object and step (`order:12:payment`, `deposit:lot=4:org=7:post`), so doing it
twice moves money once. The flows (see the BRIEF):

    deposit placed      hold   EXTERNAL -> DEPOSITS_HELD(buyer); at the close: posted (winner) or voided
    payment confirmed   post   EXTERNAL -> ESCROW(order) amount due; DEPOSITS_HELD(buyer) -> ESCROW deposit
    shipped on credit   post   CREDIT_RECEIVABLE(buyer) -> ESCROW amount due; deposit as above
    invoice paid        post   EXTERNAL -> CREDIT_RECEIVABLE(buyer)
    settled             post   ESCROW -> SELLER_PAYABLE net, PLATFORM_REVENUE fee, BROKER_COMMISSION: escrow 0
    not paid            post   DEPOSITS_HELD(buyer) -> SELLER_PAYABLE(seller) less fee -> PLATFORM_REVENUE
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.auctions.models import BidDeposit
from exchange.fees import rules as fee_rules
from exchange.fees import services as fee_services
from exchange.ledger import accounts
from exchange.ledger import services as ledger
from exchange.ledger.services import Move
from exchange.orders.models import Order
from exchange.rfq.models import SampleOrder

__all__ = [
    "FeeSplit",
    "amount_due",
    "deposit_applied",
    "deposit_forfeited",
    "fees_for",
    "hold_deposit",
    "invoice_paid",
    "payment_confirmed",
    "release_deposits",
    "settle",
    "shipped_on_credit",
]


FeeSplit = fee_rules.FeeSplit
"""The platform's fee, a broker's commission and the seller's net (`exchange.fees.rules.FeeSplit`)."""


async def fees_for(session: AsyncSession, order: Order, gross_minor: int | None = None) -> FeeSplit:
    """The platform's fee, a broker's commission and the seller's net of an order's amount (or of another
    gross taken on its account, a forfeited deposit): the three add up to the gross exactly. The fee schedule
    is the version the order kept when it was made, split by `exchange.fees.services.order_split`."""
    return fee_services.order_split(order, await fee_services.order_schedule(session, order), gross_minor)


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


def _moves(*moves: Move) -> list[Move]:
    return [move for move in moves if move.amount_minor > 0]


async def _post(session: AsyncSession, key: str, moves: list[Move], at: datetime, memo: str, order: Order) -> None:
    if moves:
        await ledger.post(session, key=key, moves=moves, at=at, memo=memo, order_id=order.id)


async def _escrow(session: AsyncSession, order: Order) -> int:
    return await ledger.account_for(session, accounts.ESCROW, order.currency, order_id=order.id)


async def _deposit_in(session: AsyncSession, order: Order, escrow: int) -> Move:
    held = await ledger.account_for(session, accounts.DEPOSITS_HELD, order.currency, org_id=order.buyer_org_id)
    return Move(held, escrow, await deposit_applied(session, order))


async def payment_confirmed(session: AsyncSession, order: Order, amount_minor: int, at: datetime) -> None:
    """EXTERNAL -> ESCROW(order) the amount paid; DEPOSITS_HELD(buyer) -> ESCROW(order) the deposit."""
    escrow = await _escrow(session, order)
    external = await ledger.account_for(session, accounts.EXTERNAL, order.currency)
    moves = _moves(Move(external, escrow, amount_minor), await _deposit_in(session, order, escrow))
    await _post(session, f"order:{order.id}:payment", moves, at, "payment into escrow", order)


async def shipped_on_credit(session: AsyncSession, order: Order, amount_minor: int, at: datetime) -> None:
    """CREDIT_RECEIVABLE(buyer) -> ESCROW(order) the amount due; the deposit as at payment."""
    escrow = await _escrow(session, order)
    receivable = await ledger.account_for(
        session, accounts.CREDIT_RECEIVABLE, order.currency, org_id=order.buyer_org_id
    )
    moves = _moves(Move(receivable, escrow, amount_minor), await _deposit_in(session, order, escrow))
    await _post(session, f"order:{order.id}:credit", moves, at, "shipped on credit terms", order)


async def invoice_paid(session: AsyncSession, order: Order, amount_minor: int, at: datetime) -> None:
    """EXTERNAL -> CREDIT_RECEIVABLE(buyer): the buyer pays its invoice."""
    external = await ledger.account_for(session, accounts.EXTERNAL, order.currency)
    receivable = await ledger.account_for(
        session, accounts.CREDIT_RECEIVABLE, order.currency, org_id=order.buyer_org_id
    )
    await _post(
        session,
        f"order:{order.id}:invoice",
        _moves(Move(external, receivable, amount_minor)),
        at,
        "invoice paid",
        order,
    )


async def _split_to(session: AsyncSession, order: Order, source: int, split: FeeSplit) -> list[Move]:
    seller = await ledger.account_for(session, accounts.SELLER_PAYABLE, order.currency, org_id=order.seller_org_id)
    revenue = await ledger.account_for(session, accounts.PLATFORM_REVENUE, order.currency)
    moves = [Move(source, seller, split.seller_net), Move(source, revenue, split.platform_fee)]
    broker_org_id = (order.terms or {}).get("broker_org_id")
    if split.broker_commission and isinstance(broker_org_id, int):
        broker = await ledger.account_for(session, accounts.BROKER_COMMISSION, order.currency, org_id=broker_org_id)
        moves.append(Move(source, broker, split.broker_commission))
    elif split.broker_commission:
        moves.append(Move(source, revenue, split.broker_commission))
    return _moves(*moves)


async def settle(session: AsyncSession, order: Order, at: datetime, *, refund_minor: int = 0) -> FeeSplit:
    """ESCROW(order) -> SELLER_PAYABLE net, PLATFORM_REVENUE fee, BROKER_COMMISSION commission: escrow ends at 0.

    A dispute's resolution passes `refund_minor`: ESCROW(order) -> REFUNDS_PAYABLE(buyer) that much, in the same
    entry (one key per order, so an order settles once). The parts are `exchange.fees.rules.settle`'s: the
    refund first (capped at the amount), then the fees of the rest.
    """
    in_force = await fee_services.order_schedule(session, order)
    parts = fee_rules.settle(
        order.amount_minor,
        in_force.schedule,
        fee_services.order_margin(order),
        refund_minor=refund_minor,
        proposal=order.source == "proposal",
    )
    split = FeeSplit(parts.platform_fee, parts.broker_commission, parts.seller_net)
    escrow = await _escrow(session, order)
    moves = await _split_to(session, order, escrow, split)
    if parts.refund:
        refunds = await ledger.account_for(session, accounts.REFUNDS_PAYABLE, order.currency, org_id=order.buyer_org_id)
        moves = [Move(escrow, refunds, parts.refund), *moves]
    memo = "settlement with a refund to the buyer" if parts.refund else "settlement"
    await _post(session, f"order:{order.id}:settle", moves, at, memo, order)
    return split


async def sample_paid(session: AsyncSession, sample: SampleOrder, at: datetime) -> None:
    """A paid RFQ sample: EXTERNAL -> SELLER_PAYABLE(seller) its fee, once (the key is the sample's). When the
    buyer then buys the lot, the fee is already off the order's amount (`rfq.rules.amount_after_sample_credit`)."""
    if not sample.fee_minor:
        return
    external = await ledger.account_for(session, accounts.EXTERNAL, sample.currency)
    seller = await ledger.account_for(session, accounts.SELLER_PAYABLE, sample.currency, org_id=sample.seller_org_id)
    memo = f"paid sample, lot {sample.lot_id}"
    await ledger.post(
        session, key=f"sample:{sample.id}:paid", moves=[Move(external, seller, sample.fee_minor)], at=at, memo=memo
    )


async def deposit_forfeited(session: AsyncSession, order: Order, at: datetime) -> int:
    """Non-payment: DEPOSITS_HELD(buyer) -> SELLER_PAYABLE(seller) less the fee -> PLATFORM_REVENUE; the amount."""
    amount = await deposit_applied(session, order)
    if amount:
        held = await ledger.account_for(session, accounts.DEPOSITS_HELD, order.currency, org_id=order.buyer_org_id)
        moves = await _split_to(session, order, held, await fees_for(session, order, amount))
        await _post(session, f"order:{order.id}:deposit-forfeited", moves, at, "deposit forfeited", order)
    return amount


# --- bid deposits --------------------------------------------------------------------------------


def _deposit_key(deposit: BidDeposit) -> str:
    return f"deposit:lot={deposit.lot_id}:org={deposit.org_id}"


def _deposit_holding(deposit: BidDeposit, external: int, held: int) -> ledger.Holding:
    memo = f"bid deposit, lot {deposit.lot_id}"
    return ledger.Holding(_deposit_key(deposit), Move(external, held, deposit.amount_minor), memo=memo)


async def _deposit_accounts(session: AsyncSession, currency: str, org_id: int) -> tuple[int, int]:
    external = await ledger.account_for(session, accounts.EXTERNAL, currency)
    held = await ledger.account_for(session, accounts.DEPOSITS_HELD, currency, org_id=org_id)
    return external, held


async def hold_deposit(session: AsyncSession, deposit: BidDeposit, at: datetime) -> int:
    """The deposit's two-phase hold EXTERNAL -> DEPOSITS_HELD(buyer); the same hold when asked again."""
    external, held = await _deposit_accounts(session, deposit.currency, deposit.org_id)
    holding = _deposit_holding(deposit, external, held)
    return await ledger.hold(session, key=holding.key, move=holding.move, at=at, memo=holding.memo)


async def release_deposits(
    session: AsyncSession, deposits: Sequence[BidDeposit], at: datetime, *, winner_org_id: int | None = None
) -> None:
    """At the close (or when the lot leaves sale): the winner's hold posted, every other voided, in one
    ledger call (`ledger.post_many`: one entry per deposit, one trip to the database on SQLite)."""
    wanted: list[ledger.AccountSpec] = []
    for deposit in deposits:
        wanted += [(accounts.EXTERNAL, deposit.currency, None, None)]
        wanted += [(accounts.DEPOSITS_HELD, deposit.currency, deposit.org_id, None)]
    ids = await ledger.accounts_for(session, wanted)
    calls: list[ledger.Call] = []
    for n, deposit in enumerate(deposits):
        external, held = ids[2 * n], ids[2 * n + 1]
        holding = _deposit_holding(deposit, external, held)  # found again (or placed, for an older deposit)
        applied = deposit.org_id == winner_org_id
        ending = ledger.Ending(holding.key + (":post" if applied else ":void"), hold=holding.key, post=applied)
        calls += [holding, ending]
    if calls:
        await ledger.post_many(session, calls, at=at)
