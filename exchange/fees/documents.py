"""Per-order documents: the order confirmation and the settlement statement, as data.

Pages render them as printable HTML and `exchange.fees.pdf` turns that HTML into a PDF. Both parties of an
order (and admins) may read them; anyone else gets the same 404 as for the order itself. The buyer's
statement shows what the buyer paid and got back; the seller's and the admin's also show the fee lines,
the broker's commission and the seller's net.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import audit
from exchange.accounts.models import Org
from exchange.accounts.principal import Principal
from exchange.errors import NotFound
from exchange.fees import rules, schemas, services
from exchange.fees.rules import FeeLine
from exchange.i18n.messages import Msg
from exchange.ledger import accounts
from exchange.ledger.models import LedgerAccount, LedgerEntry, LedgerLine
from exchange.lots.models import Lot
from exchange.money import format_minor
from exchange.orders.models import Order
from exchange.orders.services import get_order_for, terms_for
from exchange.settings import Settings

__all__ = [
    "Confirmation",
    "Figures",
    "Party",
    "Statement",
    "confirmation_for",
    "confirmation_out",
    "figures_for",
    "posted_for_order",
    "statement_for",
    "statement_out",
]

FINISHED = ("settled", "resolved")
"""Order states after which the statement is final."""


@dataclass(frozen=True, slots=True)
class Party:
    org_id: int
    name: str


@dataclass(frozen=True, slots=True)
class Figures:
    """An order's money in minor units: final once the order is settled, else what settlement would pay."""

    gross: int
    fee_lines: list[FeeLine]
    platform_fee: int
    broker_commission: int
    refund: int
    seller_net: int
    final: bool


@dataclass(frozen=True)
class OrderHeader:
    order_id: int
    status: str
    source: str
    currency: str
    created_at: datetime
    lot_id: int
    lot_title: str
    category: str
    category_label: str
    grade: str
    quantity: str
    buyer: Party
    seller: Party
    terms: dict[str, Any] = field(default_factory=dict)

    def money(self, minor: int | None) -> str:
        return format_minor(minor, self.currency) or ""


@dataclass(frozen=True)
class Confirmation:
    header: OrderHeader
    amount: int
    generated_at: datetime


@dataclass(frozen=True)
class Statement:
    header: OrderHeader
    figures: Figures
    schedule: services.ScheduleInForce
    show_fees: bool
    """False for the buyer: fees, commission and the seller's net are the seller's business."""
    checkpoint: audit.Checkpoint | None
    """The audit log's latest signed checkpoint when the statement was made."""
    generated_at: datetime


async def _header(session: AsyncSession, principal: Principal, order_id: int) -> tuple[Order, Lot, OrderHeader]:
    await get_order_for(session, principal, order_id)  # the one 404 for a third org
    order = await session.get(Order, order_id)
    if order is None:
        raise NotFound(Msg("There is no order {order_id}, or it is not yours.", order_id=order_id))
    lot, buyer, seller = (
        await session.get(Lot, order.lot_id),
        await session.get(Org, order.buyer_org_id),
        await session.get(Org, order.seller_org_id),
    )
    if lot is None or buyer is None or seller is None:  # foreign keys make this impossible
        raise NotFound(f"Order {order_id} is incomplete.")
    header = OrderHeader(
        order_id=order.id,
        status=order.status,
        source=order.source,
        currency=order.currency,
        created_at=order.created_at,
        lot_id=lot.id,
        lot_title=lot.title,
        category=lot.category,
        category_label=services.category_label(lot.category),
        grade=lot.grade,
        quantity=f"{lot.quantity_value.normalize():f} {lot.quantity_unit}",
        buyer=Party(buyer.id, buyer.name),
        seller=Party(seller.id, seller.name),
        terms=terms_for(order, principal.org_id),  # a proposal's buyer never sees the broker's numbers
    )
    return order, lot, header


async def posted_for_order(session: AsyncSession, order_id: int) -> dict[str, int]:
    """What the ledger's entries of this order paid into each kind of account (seller payable, platform revenue,
    broker commission, refunds payable, ...), summed by purpose: the settled figures as money actually moved."""
    rows = await session.execute(
        select(LedgerAccount.purpose, func.sum(LedgerLine.amount_minor))
        .join(LedgerEntry, LedgerEntry.id == LedgerLine.entry_id)
        .join(LedgerAccount, LedgerAccount.id == LedgerLine.account_id)
        .where(LedgerEntry.order_id == order_id, LedgerLine.direction == 1)
        .group_by(LedgerAccount.purpose)
    )
    return {purpose: int(total or 0) for purpose, total in rows.all()}


async def figures_for(session: AsyncSession, order: Order, schedule: services.ScheduleInForce) -> Figures:
    """Gross, fee lines, commission, refund and the seller's net.

    A finished order's figures are what its ledger entries moved; before that, what settlement would pay
    by `rules.settle` with no refund (the fees are computed on what the seller keeps, gross - refund)."""
    final = order.status in FINISHED
    posted = await posted_for_order(session, order.id) if final else {}
    refund = posted.get(accounts.REFUNDS_PAYABLE, 0)
    parts = rules.settle(
        order.amount_minor,
        schedule.schedule,
        services.order_margin(order),
        refund_minor=refund,
        proposal=order.source == "proposal",
    )
    lines = rules.fee_lines(order.amount_minor - parts.refund, schedule.schedule, order.currency)
    if final and posted:
        fee = posted.get(accounts.PLATFORM_REVENUE, 0)
        if fee != parts.platform_fee:  # settled by another rule (a forfeited deposit, an admin's decision)
            lines = [FeeLine("Platform fee", fee)] if fee else []
        return Figures(
            gross=order.amount_minor,
            fee_lines=lines,
            platform_fee=fee,
            broker_commission=posted.get(accounts.BROKER_COMMISSION, 0),
            refund=refund,
            seller_net=posted.get(accounts.SELLER_PAYABLE, 0),
            final=True,
        )
    return Figures(
        gross=order.amount_minor,
        fee_lines=lines,
        platform_fee=parts.platform_fee,
        broker_commission=parts.broker_commission,
        refund=parts.refund,
        seller_net=parts.seller_net,
        final=final,
    )


async def statement_for(
    session: AsyncSession, principal: Principal, order_id: int, *, at: datetime, settings: Settings | None = None
) -> Statement:
    order, _, header = await _header(session, principal, order_id)
    schedule = await services.order_schedule(session, order, settings=settings)
    figures = await figures_for(session, order, schedule)
    show_fees = principal.is_admin or principal.org_id == order.seller_org_id
    checkpoint = await audit.latest_checkpoint(session)
    return Statement(header, figures, schedule, show_fees, checkpoint=checkpoint, generated_at=at)


async def confirmation_for(session: AsyncSession, principal: Principal, order_id: int, *, at: datetime) -> Confirmation:
    order, _, header = await _header(session, principal, order_id)
    return Confirmation(header, order.amount_minor, at)


def _checkpoint_out(checkpoint: audit.Checkpoint | None) -> schemas.Checkpoint | None:
    if checkpoint is None:
        return None
    return schemas.Checkpoint(
        size=checkpoint.size,
        head_hash=checkpoint.head_hash,
        signature=checkpoint.signature,
        key_id=checkpoint.key_id,
        signed_at=checkpoint.created_at,
    )


def _party(party: Party) -> schemas.PartyOut:
    return schemas.PartyOut(org_id=party.org_id, name=party.name)


def statement_out(doc: Statement) -> schemas.Statement:
    h, f = doc.header, doc.figures
    out = schemas.Statement(
        order_id=h.order_id,
        lot_id=h.lot_id,
        lot_title=h.lot_title,
        status=h.status,
        currency=h.currency,
        buyer=_party(h.buyer),
        seller=_party(h.seller),
        gross=h.money(f.gross),
        refund=h.money(f.refund),
        final=f.final,
        generated_at=doc.generated_at,
        checkpoint=_checkpoint_out(doc.checkpoint),
    )
    if doc.show_fees:
        out.fee_schedule_id = doc.schedule.id
        out.fee_schedule_version = doc.schedule.version if doc.schedule.id else None
        out.fee_lines = [schemas.FeeLineOut(line.label, h.money(line.amount_minor)) for line in f.fee_lines]
        out.platform_fee = h.money(f.platform_fee)
        out.broker_commission = h.money(f.broker_commission)
        out.seller_net = h.money(f.seller_net)
    return out


def confirmation_out(doc: Confirmation) -> schemas.Confirmation:
    h = doc.header
    return schemas.Confirmation(
        order_id=h.order_id,
        lot_id=h.lot_id,
        lot_title=h.lot_title,
        status=h.status,
        source=h.source,
        currency=h.currency,
        amount=h.money(doc.amount),
        buyer=_party(h.buyer),
        seller=_party(h.seller),
        created_at=h.created_at,
        terms=h.terms,
    )
