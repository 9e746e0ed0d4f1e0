"""Bid deposits (a share of a lot's reference value, held before bidding) and watching lots."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.principal import Principal
from exchange.auctions import refusals, schemas
from exchange.auctions.errors import DEPOSIT_IN_PROGRESS, NO_DEPOSIT, NO_DEPOSIT_NEEDED, NO_ORG, OWN_LOT
from exchange.auctions.models import BidDeposit, LotWatch
from exchange.auctions.rules import deposit_amount
from exchange.auctions.services._common import buyer_org_id
from exchange.errors import Conflict, Forbidden, NotFound
from exchange.i18n.catalog import N_
from exchange.lots.visibility import get_visible_lot
from exchange.money import format_minor
from exchange.orders import escrow
from exchange.runtime import Runtime

__all__ = ["deposit_out", "is_watching", "my_deposit", "place_deposit", "set_watch"]


def deposit_out(deposit: BidDeposit) -> schemas.Deposit:
    return schemas.Deposit(
        lot_id=deposit.lot_id,
        amount=format_minor(deposit.amount_minor, deposit.currency) or "0",
        currency=deposit.currency,
        status=deposit.status,
        created_at=deposit.created_at,
    )


async def place_deposit(runtime: Runtime, principal: Principal, lot_id: int) -> tuple[schemas.Deposit, bool]:
    """Hold the bid deposit a lot requires (into escrow); (deposit, created). Repeating returns the same one."""
    org_id = buyer_org_id(principal)
    engine = runtime.bid_engine
    async with engine.session_maker() as session, session.begin():
        lot = await get_visible_lot(session, principal, lot_id)
        existing = await session.scalar(
            select(BidDeposit).where(BidDeposit.lot_id == lot_id, BidDeposit.org_id == org_id)
        )
        if existing is not None:
            return deposit_out(existing), False
        if lot.sale_mode != "sealed_bid" or not lot.deposit_percent:
            raise Conflict(N_("This lot does not ask for a bid deposit."), code=NO_DEPOSIT_NEEDED)
        if lot.seller_org_id == org_id:
            raise Forbidden(N_("Your organisation sells this lot."), code=OWN_LOT)
        if lot.status != "live":
            raise refusals.bidding_closed()
        deposit = BidDeposit(
            lot_id=lot_id,
            org_id=org_id,
            amount_minor=deposit_amount(
                percent=lot.deposit_percent,
                reference_price_minor=lot.reference_price_minor,
                quantity_value=lot.quantity_value,
                min_bid_minor=lot.min_bid_minor,
            ),
            currency=lot.currency,
            status="held",
        )
        session.add(deposit)
        try:
            await session.flush()
        except IntegrityError:
            raise Conflict(
                N_("Your deposit on this lot is being recorded already."), code=DEPOSIT_IN_PROGRESS
            ) from None
        await escrow.hold_deposit(session, deposit, runtime.clock.now())
        out = deposit_out(deposit)
    await engine.deposit_added(lot_id, org_id)
    return out, True


async def my_deposit(session: AsyncSession, principal: Principal, lot_id: int) -> schemas.Deposit:
    await get_visible_lot(session, principal, lot_id)
    deposit = None
    if principal.org_id is not None:
        deposit = await session.scalar(
            select(BidDeposit).where(BidDeposit.lot_id == lot_id, BidDeposit.org_id == principal.org_id)
        )
    if deposit is None:
        raise NotFound(N_("Your organisation holds no deposit on this lot."), code=NO_DEPOSIT)
    return deposit_out(deposit)


async def set_watch(session: AsyncSession, principal: Principal, lot_id: int, *, watching: bool) -> schemas.Watch:
    """Watch a lot (a reminder before it closes) or stop watching it."""
    await get_visible_lot(session, principal, lot_id)
    if principal.org_id is None:
        raise Forbidden(N_("Only members of an organisation can watch lots."), code=NO_ORG)
    if watching:
        # One statement that lets a simultaneous twin (two tabs, a retry) win without an error.
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        await session.execute(insert(LotWatch).values(lot_id=lot_id, org_id=principal.org_id).on_conflict_do_nothing())
    else:
        await session.execute(delete(LotWatch).where(LotWatch.lot_id == lot_id, LotWatch.org_id == principal.org_id))
    return schemas.Watch(lot_id=lot_id, watching=watching)


async def is_watching(session: AsyncSession, principal: Principal | None, lot_id: int) -> bool:
    if principal is None or principal.org_id is None:
        return False
    return await session.get(LotWatch, (lot_id, principal.org_id)) is not None
