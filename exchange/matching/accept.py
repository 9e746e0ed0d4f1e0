"""Accepting a proposal: all or nothing for its fixed-price lots, in ONE transaction.

Every fixed-price lot is bought through `create_order_for_lot` (the single sale path: of two paths racing
for a lot exactly one changes its row). If any lot of the proposal was meanwhile sold, withdrawn or
became invisible to the client, nothing is bought and the 409 names each such lot. RFQ lines open a
negotiation in the client's name in the same transaction; sealed-bid lines become bids in the client's
name only with `bid_consent`, after the commit, through the bid engine (each answered with a receipt).
`Idempotency-Key`: a repeat (even one racing the first) gets the first answer and changes nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from exchange import idempotency
from exchange.accounts.errors import WRONG_ORG_KIND
from exchange.accounts.principal import Principal
from exchange.auctions import schemas as auction_schemas
from exchange.auctions.leaving import settle_left_sale
from exchange.auctions.services import place_bid
from exchange.errors import Conflict, DomainError, Forbidden
from exchange.fees import services as fee_services
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg, When
from exchange.live.channels import lot_channel, publish_event
from exchange.lots.events import lot_sold_elsewhere
from exchange.lots.models import Lot
from exchange.lots.visibility import visible_lots_clause
from exchange.matching import rules, schemas
from exchange.matching.candidates import client_viewer
from exchange.matching.errors import LOTS_UNAVAILABLE, PROPOSAL_EXPIRED
from exchange.matching.models import ProcurementRequest, Proposal, ProposalLine
from exchange.matching.proposals import for_client, load_proposal, state_error
from exchange.money import format_minor
from exchange.notifications.services import notify
from exchange.orders import escrow
from exchange.orders.credit import ensure_not_overdue
from exchange.orders.models import Order
from exchange.orders.services import create_order_for_lot
from exchange.rfq import schemas as rfq_schemas
from exchange.rfq.services import open_rfq
from exchange.runtime import Runtime

__all__ = ["ACCEPT_SCOPE", "LotsUnavailable", "accept_proposal"]

ACCEPT_SCOPE = "proposal.accept"
REPLAY_WAIT_SECONDS = 3.0


class LotsUnavailable(Conflict):
    """409 naming every lot of the proposal that is no longer available to the client."""

    def __init__(self, lot_ids: list[int]) -> None:
        listed = ", ".join(str(i) for i in lot_ids)
        super().__init__(
            f"Nothing was bought: lot(s) {listed} are no longer available (sold, withdrawn or no longer visible).",
            code=LOTS_UNAVAILABLE,
            title="Lots no longer available",
        )
        self.lot_ids = lot_ids

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body = super().problem(instance)
        body["unavailable_lot_ids"] = self.lot_ids
        return body


async def _stored(
    session_maker: async_sessionmaker[AsyncSession], org_id: int, key: str, request_hash: str
) -> schemas.ProposalAccepted | None:
    async with session_maker() as session:
        stored = await idempotency.replay(session, org_id, ACCEPT_SCOPE, key, request_hash)
        return msgspec.convert(stored.body, schemas.ProposalAccepted) if stored is not None else None


async def _wait_for_stored(
    session_maker: async_sessionmaker[AsyncSession], org_id: int, key: str, request_hash: str
) -> schemas.ProposalAccepted | None:
    deadline = asyncio.get_running_loop().time() + REPLAY_WAIT_SECONDS
    while asyncio.get_running_loop().time() < deadline:
        answer = await _stored(session_maker, org_id, key, request_hash)
        if answer is not None:
            return answer
        await asyncio.sleep(0.05)
    return None


async def _unavailable(session: AsyncSession, client_org_id: int, lot_ids: list[int]) -> list[int]:
    if not lot_ids:
        return []
    fine = set(
        await session.scalars(
            select(Lot.id).where(
                Lot.id.in_(lot_ids),
                Lot.status == "live",
                Lot.seller_org_id != client_org_id,
                visible_lots_clause(client_viewer(client_org_id)),
            )
        )
    )
    return [i for i in lot_ids if i not in fine]


async def _set_outcome(session: AsyncSession, proposal_id: int, lot_id: int, outcome: str) -> None:
    await session.execute(
        update(ProposalLine)
        .where(ProposalLine.proposal_id == proposal_id, ProposalLine.lot_id == lot_id)
        .values(outcome=outcome[:200])
        .execution_options(synchronize_session=False)
    )


async def _accept_in_transaction(
    session: AsyncSession, runtime: Runtime, principal: Principal, proposal: Proposal, consent: bool
) -> tuple[list[schemas.AcceptedOrder], list[int], list[ProposalLine]]:
    """(orders, RFQ threads opened, bid lines to place) — all in the caller's transaction."""
    now = runtime.clock.now()
    if proposal.valid_until <= now:
        raise Conflict(
            Msg("The proposal was valid until {valid_until}.", valid_until=When(proposal.valid_until)),
            code=PROPOSAL_EXPIRED,
        )
    claimed = await session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.status == "sent")
        .values(status="accepted", decided_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        status = await session.scalar(select(Proposal.status).where(Proposal.id == proposal.id))
        raise state_error(status or "gone", "be accepted")
    lines = list(await session.scalars(select(ProposalLine).where(ProposalLine.proposal_id == proposal.id)))
    acted = [ln for ln in lines if ln.kind != "bid" or consent]
    gone = await _unavailable(session, proposal.client_org_id, sorted(ln.lot_id for ln in acted))
    if gone:
        raise LotsUnavailable(gone)
    request = await session.get(ProcurementRequest, proposal.request_id)
    percent = proposal.commission_percent
    orders = []
    for line in sorted(acted, key=lambda ln: ln.lot_id):
        if line.kind != "buy":
            continue
        margin, commission = rules.line_money(line.cost_minor, line.client_price_minor, percent)
        terms = {
            "proposal_id": proposal.id,
            "broker_org_id": proposal.broker_org_id,
            "cost_minor": line.cost_minor,
            "margin_minor": margin,
            "commission_percent": str(percent),
            "commission_minor": commission,
        }
        try:
            order = await create_order_for_lot(
                session,
                line.lot_id,
                buyer_org_id=proposal.client_org_id,
                amount_minor=line.client_price_minor,
                source="proposal",
                terms=terms,
            )
        except Conflict:
            raise LotsUnavailable([line.lot_id]) from None
        order.terms = {**terms, **await _commission_terms(session, order)}
        await settle_left_sale(session, line.lot_id, "sold", buyer_org_id=proposal.client_org_id, runtime=runtime)
        await _set_outcome(session, proposal.id, line.lot_id, f"order #{order.id}")
        await notify(
            session,
            order.seller_org_id,
            kind="lot_sold",
            title=Msg("Sold through a broker's proposal: lot #{lot}", lot=line.lot_id),
            body=Msg("The order awaits payment."),
            link=f"/orders/{order.id}",
            runtime=runtime,
        )
        orders.append(
            schemas.AcceptedOrder(
                id=order.id,
                lot_id=order.lot_id,
                amount=format_minor(order.amount_minor, order.currency) or "0",
                currency=order.currency,
                status=order.status,
            )
        )
    threads = []
    for line in acted:
        if line.kind != "rfq":
            continue
        ask = rfq_schemas.RfqOpen(
            price=format_minor(line.client_price_minor, proposal.currency) or "0",
            delivery_by=request.deliver_by if request else None,
            delivery_region=request.region if request else "",
            message=f"Asked through proposal #{proposal.id}.",
        )
        try:
            async with session.begin_nested():
                thread = await open_rfq(session, principal, line.lot_id, ask, runtime=runtime, now=now)
        except DomainError as error:
            await _set_outcome(session, proposal.id, line.lot_id, f"no quote asked: {error.detail}")
            continue
        threads.append(thread.id)
        await _set_outcome(session, proposal.id, line.lot_id, f"quote asked (negotiation #{thread.id})")
    for line in lines:
        if line.kind == "bid" and not consent:
            await _set_outcome(session, proposal.id, line.lot_id, "left out: no consent to bid")
    await notify(
        session,
        proposal.broker_org_id,
        kind="proposal_accepted",
        title=Msg("Proposal #{proposal} accepted", proposal=proposal.id),
        body=Msg("{orders} order(s), {threads} quote request(s).", orders=len(orders), threads=len(threads)),
        link=f"/proposals/{proposal.id}",
        runtime=runtime,
    )
    return orders, threads, [ln for ln in acted if ln.kind == "bid"]


async def _place_bids(
    runtime: Runtime, principal: Principal, proposal: Proposal, lines: list[ProposalLine]
) -> list[auction_schemas.BidReceipt]:
    receipts, outcomes = [], {}
    for line in lines:
        amount = format_minor(line.client_price_minor, proposal.currency) or "0"
        try:
            receipt = await place_bid(
                runtime, principal, line.lot_id, auction_schemas.BidIn(amount=amount, currency=proposal.currency)
            )
        except DomainError as error:
            outcomes[line.lot_id] = f"bid refused: {error.detail}"
            continue
        receipts.append(receipt)
        outcomes[line.lot_id] = f"bid placed in your name ({amount} {proposal.currency})"
    if outcomes:
        async with runtime.session_maker() as session, session.begin():
            for lot_id, outcome in outcomes.items():
                await _set_outcome(session, proposal.id, lot_id, outcome)
    return receipts


async def accept_proposal(
    runtime: Runtime,
    principal: Principal,
    proposal_id: int,
    data: schemas.ProposalAccept,
    idempotency_key: str | None = None,
) -> schemas.ProposalAccepted:
    key = idempotency.check_key(idempotency_key)
    org_id = principal.org_id or 0
    request_hash = idempotency.fingerprint(proposal_id, data.bid_consent)
    maker = runtime.session_maker
    if key is not None and (earlier := await _stored(maker, org_id, key, request_hash)) is not None:
        return earlier
    async with maker() as session:
        try:
            proposal = await load_proposal(session, principal, proposal_id)
            if proposal.client_org_id != principal.org_id:
                raise Forbidden(N_("Only the client accepts the proposal."), code=WRONG_ORG_KIND)
            await ensure_not_overdue(session, proposal.client_org_id, runtime.clock.now())
            orders, threads, bid_lines = await _accept_in_transaction(
                session, runtime, principal, proposal, data.bid_consent
            )
            await session.commit()
        except Conflict as error:
            await session.rollback()
            if key is not None and not isinstance(error, LotsUnavailable):
                twin = await _wait_for_stored(maker, org_id, key, request_hash)
                if twin is not None:
                    return twin
            raise
    for order in orders:
        await lot_sold_elsewhere(runtime, order.lot_id)
        publish_event(runtime, lot_channel(order.lot_id), "status", {"status": "sold"})
    receipts = await _place_bids(runtime, principal, proposal, bid_lines)
    async with maker() as session, session.begin():
        fresh = await load_proposal(session, principal, proposal_id)
        answer = schemas.ProposalAccepted(
            orders=orders, bids=receipts, rfq_threads=threads, proposal=await for_client(session, fresh)
        )
        if key is not None:
            await idempotency.remember(
                session, org_id, ACCEPT_SCOPE, key, request_hash, 201, msgspec.to_builtins(answer)
            )
    return answer


async def _commission_terms(session: AsyncSession, order: Order) -> dict[str, Any]:
    """The broker's commission as settlement will pay it: the rate of the fee schedule the order keeps, and the
    commission `exchange.orders.escrow.fees_for` computes from it (one rule for the order and its ledger)."""
    in_force = await fee_services.schedule_version(session, order.fee_schedule_id)
    split = await escrow.fees_for(session, order)
    percent = in_force.schedule.broker_percent
    return {"commission_percent": f"{percent.normalize():f}", "commission_minor": split.broker_commission}
