"""Fixed-price purchases: exactly one buyer wins the lot; everyone else is told it is sold."""

from __future__ import annotations

import asyncio

import msgspec
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange import idempotency
from exchange.accounts.principal import Principal
from exchange.auctions import refusals
from exchange.auctions.engine import database_unavailable
from exchange.auctions.services._common import buyer_org_id
from exchange.errors import Conflict, DomainError
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.idempotency.errors import IDEMPOTENCY_IN_PROGRESS
from exchange.live.channels import lot_channel, org_channel, publish_event
from exchange.lots.models import Lot
from exchange.notifications.services import notify
from exchange.orders import schemas as order_schemas
from exchange.orders.credit import ensure_not_overdue
from exchange.orders.services import create_order_for_lot, order_out
from exchange.runtime import Runtime

__all__ = ["PURCHASE_SCOPE", "purchase"]

PURCHASE_SCOPE = "purchase"
REPLAY_WAIT_SECONDS = 3.0


async def _stored_answer(
    session_maker: async_sessionmaker[AsyncSession], org_id: int, lot_id: int, key: str
) -> order_schemas.Order | None:
    """The first answer given to this key; a 422 when the key was used to buy another lot."""
    async with session_maker() as session:
        stored = await idempotency.replay(session, org_id, PURCHASE_SCOPE, key, idempotency.fingerprint(lot_id))
        return msgspec.convert(stored.body, order_schemas.Order) if stored is not None else None


async def _wait_for_stored_answer(
    session_maker: async_sessionmaker[AsyncSession], org_id: int, lot_id: int, key: str
) -> order_schemas.Order:
    deadline = asyncio.get_running_loop().time() + REPLAY_WAIT_SECONDS
    while True:
        answer = await _stored_answer(session_maker, org_id, lot_id, key)
        if answer is not None:
            return answer
        if asyncio.get_running_loop().time() > deadline:
            raise Conflict(
                N_("A purchase with this Idempotency-Key is still being processed; ask again in a moment."),
                code=IDEMPOTENCY_IN_PROGRESS,
            )
        await asyncio.sleep(0.05)


async def purchase(
    runtime: Runtime, principal: Principal, lot_id: int, idempotency_key: str | None = None
) -> order_schemas.Order:
    """Buy a fixed-price lot: 201 with the order for exactly one buyer; 409 "already sold" for the rest.

    The engine's script picks the one buyer; the order is created through `create_order_for_lot`,
    the single arbiter of every sale, and only then is the claim confirmed (or released on failure).
    """
    org_id = buyer_org_id(principal)
    key = idempotency.check_key(idempotency_key)
    engine = runtime.bid_engine
    async with engine.session_maker() as session:
        await ensure_not_overdue(session, org_id, runtime.clock.now())
    if key is not None:
        stored = await _stored_answer(engine.session_maker, org_id, lot_id, key)
        if stored is not None:
            return stored
    for _attempt in range(3):
        code, detail = await engine.claim_purchase(lot_id, org_id, key)
        if code == "SOLD":
            raise refusals.already_sold()
        if code == "REPLAY" and key is not None:
            return await _wait_for_stored_answer(engine.session_maker, org_id, lot_id, key)
        if code == "UNCONFIRMED":
            # A claimant died before its order was written: rebuild the lot from SQL, which knows.
            await engine.drop_state(lot_id)
            continue
        price_minor, claim_us = detail
        try:
            answer, seller_org_id = await _record_sale(runtime, principal, lot_id, price_minor, key)
        except Conflict:
            await engine.drop_state(lot_id)  # SQL says the lot is gone (sold another way, withdrawn, expired)
            raise
        except DomainError:
            await engine.release_purchase(lot_id, org_id, claim_us, key)
            raise
        except Exception:
            await engine.release_purchase(lot_id, org_id, claim_us, key)
            raise database_unavailable() from None
        await engine.confirm_purchase(lot_id, org_id)
        publish_event(runtime, lot_channel(lot_id), "status", {"status": "sold"})
        publish_event(runtime, org_channel(seller_org_id), "notification", {"kind": "lot_sold"})
        return answer
    raise refusals.engine_busy()


async def _record_sale(
    runtime: Runtime,
    principal: Principal,
    lot_id: int,
    price_minor: int,
    key: str | None,
) -> tuple[order_schemas.Order, int]:
    org_id = principal.org_id or 0
    async with runtime.bid_engine.session_maker() as session, session.begin():
        order = await create_order_for_lot(
            session,
            lot_id,
            buyer_org_id=org_id,
            amount_minor=price_minor,
            source="purchase",
            at=runtime.clock.now(),
            payment_window=runtime.settings.orders.payment_window,
        )
        title = await session.scalar(select(Lot.title).where(Lot.id == lot_id))
        answer = order_out(order, title)
        if key is not None:
            await _remember(session, org_id, lot_id, key, answer)
        await notify(
            session,
            order.seller_org_id,
            kind="lot_sold",
            title=Msg("Sold: {title}", title=(title or "")[:180]),
            body=Msg(
                "{buyer} bought the lot at its fixed price. The order awaits payment.",
                buyer=principal.org_name or Msg("A buyer"),
            ),
            link=f"/orders/{order.id}",
        )
    return answer, order.seller_org_id


async def _remember(session: AsyncSession, org_id: int, lot_id: int, key: str, answer: order_schemas.Order) -> None:
    """Keep the answer for repeats. The engine lets one call per lot and key through, so a clash here is
    the same key buying another lot at the same moment: refused (422), and this sale rolls back."""
    try:
        await idempotency.remember(
            session, org_id, PURCHASE_SCOPE, key, idempotency.fingerprint(lot_id), 201, msgspec.to_builtins(answer)
        )
    except IntegrityError:
        raise idempotency.key_reused() from None
