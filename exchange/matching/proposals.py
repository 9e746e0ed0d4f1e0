"""Proposals: a broker offers a client lots at the client's prices. The broker's view (`for_broker`) holds
cost, margin and commission; the client's (`for_client`) is a separate Struct without them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import paging
from exchange.accounts.errors import WRONG_ORG_KIND
from exchange.accounts.principal import Principal
from exchange.errors import Conflict, Forbidden, NotFound, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Money, Msg, MsgText, When
from exchange.lots.models import Lot
from exchange.lots.visibility import visible_lots_clause
from exchange.matching import rules, schemas
from exchange.matching.candidates import client_viewer
from exchange.matching.errors import PROPOSAL_NOT_FOUND, PROPOSAL_STATE
from exchange.matching.matches import match_lot, match_lot_price
from exchange.matching.models import Proposal, ProposalLine
from exchange.matching.requests import get_request_for
from exchange.money import format_minor, parse_money
from exchange.notifications.services import notify
from exchange.runtime import Runtime
from exchange.text import clean_text

__all__ = [
    "create_proposal",
    "decline_proposal",
    "for_broker",
    "for_client",
    "load_proposal",
    "offerable_lots",
    "proposals_for",
    "proposals_page_for",
    "send_proposal",
    "state_error",
    "view_for",
]


def state_error(status: str, action: str) -> Conflict:
    """409 naming the proposal's state and what may be done in it."""
    allowed = ", ".join(rules.PROPOSAL_ACTIONS.get(status, ())) or "none"
    english = f"The proposal is {status}: it cannot {action} now (allowed: {allowed})."
    state = Msg(_STATE_WORDS.get(status, _GONE))
    page = Msg("This proposal is {state}, so it cannot {action} now.", state=state, action=Msg(action))
    return Conflict(MsgText(page, english), code=PROPOSAL_STATE)


_STATE_WORDS = {
    "draft": N_("still a draft"),
    "sent": N_("waiting for the client's answer"),
    "accepted": N_("already accepted"),
    "declined": N_("already declined"),
    "expired": N_("expired"),
}
"""A proposal's state in plain words, for a page's refusal (the API names the status code)."""
_GONE = N_("no longer there")
_ACTIONS = (N_("be sent"), N_("be accepted"), N_("be declined"))
"""What `state_error` is told was refused, in the catalogue for a page's words."""


async def create_proposal(
    session: AsyncSession, principal: Principal, data: schemas.ProposalIn, *, now: datetime
) -> Proposal:
    if principal.org_kind != "broker" or principal.org_id is None:
        raise Forbidden(N_("Only brokers make proposals."), code=WRONG_ORG_KIND)
    request = await get_request_for(session, principal, data.request_id)
    if request.broker_org_id != principal.org_id:
        raise NotFound(
            Msg("There is no procurement request {request} of yours.", request=data.request_id), code=PROPOSAL_NOT_FOUND
        )
    if data.valid_until.tzinfo is None:
        raise Unprocessable(
            N_("Give the validity date with its time zone, like 2026-12-20T18:00:00Z."), field="valid_until"
        )
    if data.valid_until <= now:
        raise Unprocessable(N_("The validity date is in the past."), field="valid_until")
    ids = [line.lot_id for line in data.lines]
    if len(set(ids)) != len(ids):
        raise Unprocessable(N_("A lot appears twice in the proposal."), field="lines")
    viewer = client_viewer(request.client_org_id)
    lots = {
        lot.id: lot
        for lot in await session.scalars(
            select(Lot).where(Lot.id.in_(ids), visible_lots_clause(viewer), Lot.seller_org_id != request.client_org_id)
        )
    }
    proposal = Proposal(
        request_id=request.id,
        broker_org_id=principal.org_id,
        client_org_id=request.client_org_id,
        status="draft",
        note=data.note.strip(),
        valid_until=data.valid_until,
        currency=request.currency,
        commission_percent=rules.COMMISSION_PERCENT,
        created_at=now,
    )
    session.add(proposal)
    await session.flush()
    for index, line in enumerate(data.lines):
        lot = lots.get(line.lot_id)
        where = f"lines[{index}]"
        if lot is None or lot.status != "live":
            raise Unprocessable(
                Msg("Lot {lot} is not a live lot your client can see.", lot=line.lot_id), field=f"{where}.lot_id"
            )
        if lot.currency != request.currency:
            raise Unprocessable(
                Msg("Lot {lot} is priced in {currency}.", lot=lot.id, currency=lot.currency), field=f"{where}.lot_id"
            )
        price = parse_money(line.client_price, request.currency, field=f"{where}.client_price")
        cost = match_lot_price(lot)
        if cost is not None and price < cost:
            raise Unprocessable(
                Msg(
                    "The client's price is below your cost for lot {lot_id} ({cost}).",
                    lot_id=lot.id,
                    cost=Money(format_minor(cost, lot.currency), lot.currency),
                ),
                field=f"{where}.client_price",
            )
        session.add(
            ProposalLine(
                proposal_id=proposal.id,
                lot_id=lot.id,
                client_price_minor=price,
                cost_minor=cost,
                kind=rules.price_kind(lot.sale_mode, lot.min_bid_minor),
            )
        )
    await session.flush()
    return proposal


async def offerable_lots(session: AsyncSession, client_org_id: int, lot_ids: list[int]) -> list[schemas.MatchLot]:
    """The live lots among these that the client may see (and does not sell itself), in the order given."""
    if not lot_ids:
        return []
    found = {
        lot.id: lot
        for lot in await session.scalars(
            select(Lot).where(
                Lot.id.in_(lot_ids),
                Lot.status == "live",
                Lot.seller_org_id != client_org_id,
                visible_lots_clause(client_viewer(client_org_id)),
            )
        )
    }
    return [match_lot(found[i]) for i in dict.fromkeys(lot_ids) if i in found]


async def load_proposal(session: AsyncSession, principal: Principal, proposal_id: int) -> Proposal:
    """The proposal for its broker, or for its client once sent; 404 for everyone else."""
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    org = principal.org_id
    if proposal is not None and org is not None:
        if proposal.broker_org_id == org:
            return proposal
        if proposal.client_org_id == org and proposal.status != "draft":
            return proposal
    raise NotFound(
        Msg("There is no proposal {proposal}, or it is not yours.", proposal=proposal_id), code=PROPOSAL_NOT_FOUND
    )


async def _lines(session: AsyncSession, proposal_id: int) -> list[tuple[ProposalLine, Lot]]:
    rows = await session.execute(
        select(ProposalLine, Lot)
        .join(Lot, Lot.id == ProposalLine.lot_id)
        .where(ProposalLine.proposal_id == proposal_id)
        .order_by(ProposalLine.lot_id)
    )
    return [(line, lot) for line, lot in rows.all()]


def _actions(proposal: Proposal, side: str) -> list[str]:
    mine = {"broker": ("send",), "client": ("accept", "decline")}[side]
    return [a for a in rules.PROPOSAL_ACTIONS.get(proposal.status, ()) if a in mine]


def _money(minor: int, currency: str) -> str:
    return format_minor(minor, currency) or "0.00"


async def for_client(session: AsyncSession, proposal: Proposal) -> schemas.ProposalForClient:
    lines = await _lines(session, proposal.id)
    currency = proposal.currency
    return schemas.ProposalForClient(
        id=proposal.id,
        request_id=proposal.request_id,
        client_org_id=proposal.client_org_id,
        status=proposal.status,
        lines=[
            schemas.ProposalLineForClient(
                lot_id=lot.id,
                title=lot.title,
                category=lot.category,
                grade=lot.grade,
                quantity=match_lot(lot).quantity,
                specs=dict(lot.specs or {}),
                region=lot.location_region,
                kind=line.kind,
                client_price=_money(line.client_price_minor, currency),
                outcome=line.outcome,
            )
            for line, lot in lines
        ],
        total=_money(sum(line.client_price_minor for line, _lot in lines), currency),
        currency=currency,
        note=proposal.note,
        valid_until=proposal.valid_until,
        decline_reason=proposal.decline_reason,
        allowed_actions=_actions(proposal, "client"),
    )


async def for_broker(session: AsyncSession, proposal: Proposal) -> schemas.ProposalForBroker:
    lines = await _lines(session, proposal.id)
    currency = proposal.currency
    percent = Decimal(proposal.commission_percent)
    out, cost_total, margin_total, commission_total = [], 0, 0, 0
    for line, lot in lines:
        margin, commission = rules.line_money(line.cost_minor, line.client_price_minor, percent)
        cost_total += line.cost_minor if line.cost_minor is not None else line.client_price_minor
        margin_total += margin
        commission_total += commission
        out.append(
            schemas.ProposalLineForBroker(
                lot_id=lot.id,
                title=lot.title,
                category=lot.category,
                grade=lot.grade,
                quantity=match_lot(lot).quantity,
                specs=dict(lot.specs or {}),
                region=lot.location_region,
                kind=line.kind,
                client_price=_money(line.client_price_minor, currency),
                outcome=line.outcome,
                cost=format_minor(line.cost_minor, currency),
                margin=_money(margin, currency),
                commission=_money(commission, currency),
            )
        )
    return schemas.ProposalForBroker(
        id=proposal.id,
        request_id=proposal.request_id,
        client_org_id=proposal.client_org_id,
        broker_org_id=proposal.broker_org_id,
        status=proposal.status,
        lines=out,
        total=_money(sum(line.client_price_minor for line, _lot in lines), currency),
        currency=currency,
        note=proposal.note,
        valid_until=proposal.valid_until,
        decline_reason=proposal.decline_reason,
        allowed_actions=_actions(proposal, "broker"),
        cost=_money(cost_total, currency),
        margin=_money(margin_total, currency),
        commission=_money(commission_total, currency),
        commission_percent=f"{percent.normalize():f}",
    )


async def view_for(
    session: AsyncSession, principal: Principal, proposal: Proposal
) -> schemas.ProposalForBroker | schemas.ProposalForClient:
    if proposal.broker_org_id == principal.org_id:
        return await for_broker(session, proposal)
    return await for_client(session, proposal)


async def _move(session: AsyncSession, proposal: Proposal, action: str, frm: str, **values: object) -> None:
    """One conditional UPDATE: of two moves racing on a proposal, one wins, the other is told its state."""
    result = await session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.status == frm)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        await session.refresh(proposal)
        raise state_error(proposal.status, action)
    await session.refresh(proposal)


async def send_proposal(
    session: AsyncSession, principal: Principal, proposal_id: int, *, now: datetime, runtime: Runtime | None
) -> Proposal:
    proposal = await load_proposal(session, principal, proposal_id)
    if proposal.broker_org_id != principal.org_id:
        raise Forbidden(N_("Only the broker sends the proposal."), code=WRONG_ORG_KIND)
    if proposal.status != "draft":
        raise state_error(proposal.status, "be sent")
    await _move(session, proposal, "be sent", "draft", status="sent", sent_at=now)
    view = await for_client(session, proposal)
    await notify(
        session,
        proposal.client_org_id,
        kind="proposal_received",
        title=Msg(
            "A proposal from {broker}: {count} lots",
            broker=principal.org_name or Msg("your broker"),
            count=len(view.lines),
        ),
        body=Msg(
            "Total {total}, valid until {until}.",
            total=Money(view.total, view.currency),
            until=When(proposal.valid_until),
        ),
        link=f"/proposals/{proposal.id}",
        runtime=runtime,
    )
    return proposal


async def decline_proposal(
    session: AsyncSession,
    principal: Principal,
    proposal_id: int,
    reason: str,
    *,
    now: datetime,
    runtime: Runtime | None,
) -> Proposal:
    proposal = await load_proposal(session, principal, proposal_id)
    if proposal.client_org_id != principal.org_id:
        raise Forbidden(N_("Only the client declines the proposal."), code=WRONG_ORG_KIND)
    reason = clean_text(reason, field="reason", label="The reason", multiline=True)
    await _move(session, proposal, "be declined", "sent", status="declined", decided_at=now, decline_reason=reason)
    await notify(
        session,
        proposal.broker_org_id,
        kind="proposal_declined",
        title=Msg("Proposal #{proposal} declined", proposal=proposal.id),
        body=reason.strip()[:500],
        link=f"/proposals/{proposal.id}",
        runtime=runtime,
    )
    return proposal


def _proposals_query(principal: Principal) -> Any:
    org = principal.org_id or 0
    return (
        select(Proposal)
        .where((Proposal.broker_org_id == org) | ((Proposal.client_org_id == org) & (Proposal.status != "draft")))
        .order_by(Proposal.id.desc())
    )


async def proposals_for(session: AsyncSession, principal: Principal, *, limit: int = 200) -> list[Proposal]:
    return list(await session.scalars(_proposals_query(principal).limit(limit)))


async def proposals_page_for(
    session: AsyncSession, principal: Principal, window: paging.Window
) -> tuple[list[Proposal], int]:
    """One window of `proposals_for`'s proposals, newest first, and how many there are in all."""
    rows, total = await paging.fetch_window(session, _proposals_query(principal), window)
    return [row for (row,) in rows], total
