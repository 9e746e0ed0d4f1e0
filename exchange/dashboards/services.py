"""Each role's "what needs me now": tasks waiting for the viewer's organisation, each item linking to its page,
and a few figures. One service call per role (`needs_me` picks it); only the viewer's own organisation's things
(an admin's: the platform's queues)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from exchange.accounts.models import Org
from exchange.accounts.principal import Principal
from exchange.alerts.services.slow_sale import advised_lots
from exchange.auctions.models import Bid
from exchange.dashboards import rules
from exchange.dashboards.shapes import Dashboard, Figure, Item, Task
from exchange.disputes.models import Dispute
from exchange.ledger.accounts import BROKER_COMMISSION, ESCROW
from exchange.ledger.models import LedgerAccount
from exchange.lots.models import Lot
from exchange.matching.models import ProcurementRequest, Proposal
from exchange.money import format_minor
from exchange.orders.models import CreditLine, Order, RunnerUpOffer
from exchange.rfq.services import list_threads_for

__all__ = ["Dashboard", "Figure", "Item", "Task", "needs_me"]


def _task(kind: str, href: str, items: Sequence[Item]) -> Task:
    return Task(kind, len(items), href, list(items[: rules.SHOWN]))


def _money(rows: Iterable[Any]) -> list[tuple[str, str]]:
    """(currency, minor) rows as (decimal string, currency), zero sums left out."""
    return [(format_minor(int(minor), currency) or "0", currency) for currency, minor in rows if minor]


def _due(orders: Iterable[Any], tasks: dict[str, str], kind: str) -> list[Item]:
    return [
        Item(title, f"/orders/{order_id}", format_minor(minor, currency), currency)
        for order_id, status, minor, currency, title in orders
        if tasks[status] == kind
    ]


async def _orders_waiting(session: AsyncSession, side: ColumnElement[bool], states: Iterable[str]) -> list[Any]:
    query = (
        select(Order.id, Order.status, Order.amount_minor, Order.currency, Lot.title)
        .join(Lot, Lot.id == Order.lot_id)
        .where(side, Order.status.in_(list(states)))
        .order_by(Order.created_at, Order.id)
        .limit(200)
    )
    return list((await session.execute(query)).all())


async def _to_ship_on_credit(session: AsyncSession, seller_org_id: int | None, now: datetime) -> list[Item]:
    """Unpaid orders the seller may ship now: the buyer has credit terms in the order's currency and no overdue
    invoice (the same conditions `orders.actions.ship` checks)."""
    overdue = aliased(Order)
    rows = await session.execute(
        select(Order.id, Order.amount_minor, Order.currency, Lot.title)
        .join(Lot, Lot.id == Order.lot_id)
        .join(CreditLine, (CreditLine.org_id == Order.buyer_org_id) & (CreditLine.currency == Order.currency))
        .where(
            Order.seller_org_id == seller_org_id,
            Order.status == rules.SHIPPABLE_ON_CREDIT,
            ~exists().where(
                overdue.buyer_org_id == Order.buyer_org_id,
                overdue.on_credit.is_(True),
                overdue.invoice_paid_at.is_(None),
                overdue.invoice_due_at < now,
                overdue.status != "cancelled",
            ),
        )
        .order_by(Order.created_at, Order.id)
        .limit(200)
    )
    return [Item(title, f"/orders/{i}", format_minor(minor, currency), currency) for i, minor, currency, title in rows]


async def _disputes(session: AsyncSession, *where: ColumnElement[bool]) -> list[Item]:
    """Disputes in the given state and side, each named by its lot, linking to the dispute's page."""
    rows = await session.execute(
        select(Dispute.id, Lot.title)
        .join(Order, Order.id == Dispute.order_id)
        .join(Lot, Lot.id == Order.lot_id)
        .where(*where)
        .order_by(Dispute.id)
    )
    return [Item(title, f"/disputes/{dispute_id}") for dispute_id, title in rows]


async def _in_escrow(session: AsyncSession, side: ColumnElement[bool] | None) -> Figure:
    query = select(LedgerAccount.currency, func.sum(LedgerAccount.posted)).where(LedgerAccount.purpose == ESCROW)
    if side is not None:
        query = query.join(Order, Order.id == LedgerAccount.order_id).where(side)
    rows = await session.execute(query.group_by(LedgerAccount.currency).order_by(LedgerAccount.currency))
    return Figure("in_escrow", amounts=_money(rows.all()))


async def _this_month(session: AsyncSession, kind: str, side: ColumnElement[bool] | None, now: datetime) -> Figure:
    query = select(Order.currency, func.sum(Order.amount_minor), func.count(Order.id)).where(
        Order.created_at >= rules.month_start(now), Order.status != "cancelled"
    )
    if side is not None:
        query = query.where(side)
    rows = (await session.execute(query.group_by(Order.currency).order_by(Order.currency))).all()
    return Figure(kind, count=sum(count for _c, _m, count in rows), amounts=_money((c, m) for c, m, _n in rows))


async def _threads_waiting(session: AsyncSession, principal: Principal, side: str, now: datetime) -> Task:
    threads = await list_threads_for(session, principal, which="open", now=now)
    org = principal.org_id
    mine = [t for t in threads if t.waiting_for == side and getattr(t, f"{side}_org_id") == org]
    items = []
    for thread in mine:
        offer = thread.latest_offer
        price = (offer.price, offer.currency) if offer is not None else (None, None)
        items.append(Item(thread.lot_title, f"/rfqs/{thread.id}", *price))
    return _task("rfq_to_answer", "/rfqs", items)


async def seller_needs(session: AsyncSession, principal: Principal, now: datetime) -> Dashboard:
    """Negotiations to answer, drafts to publish, own lots closing soon, orders to ship (paid, or unpaid with a
    buyer on credit terms), disputes to answer."""
    org = principal.org_id
    drafts = await session.execute(
        select(Lot.id, Lot.title).where(Lot.seller_org_id == org, Lot.status == "draft").order_by(Lot.id.desc())
    )
    closing = await session.execute(
        select(Lot.id, Lot.title, Lot.closes_at)
        .where(Lot.seller_org_id == org, *_closing_soon(now))
        .order_by(Lot.closes_at)
    )
    orders = await _orders_waiting(session, Order.seller_org_id == org, rules.WAITING_FOR_SELLER)
    disputes = await _disputes(session, Dispute.seller_org_id == org, Dispute.status == "open")
    advised = await advised_lots(session, org or 0, limit=200)
    live = await session.scalar(select(func.count(Lot.id)).where(Lot.seller_org_id == org, Lot.status == "live"))
    tasks = [
        await _threads_waiting(session, principal, "seller", now),
        _task("drafts", "/seller/lots?status=draft", [Item(title, f"/lots/{lot_id}") for lot_id, title in drafts]),
        _task("closing_soon", "/seller/lots?status=live", [Item(t, f"/lots/{i}/sale", at=c) for i, t, c in closing]),
        _task("to_ship", "/orders?role=seller&status=paid", _due(orders, rules.WAITING_FOR_SELLER, "to_ship")),
        _task(
            "to_ship_on_credit",
            f"/orders?role=seller&status={rules.SHIPPABLE_ON_CREDIT}",
            await _to_ship_on_credit(session, org, now),
        ),
        _task(
            "disputes_to_answer",
            "/orders?role=seller&status=disputed",
            disputes,
        ),
        _task("slow_sale_advice", "/seller/lots?status=live", [Item(t, f"/lots/{i}/pricing") for i, t in advised]),
    ]
    figures = [
        await _in_escrow(session, Order.seller_org_id == org),
        await _this_month(session, "sold_this_month", Order.seller_org_id == org, now),
        Figure("live_lots", count=int(live or 0)),
    ]
    return Dashboard("seller", [task for task in tasks if task.count], figures)


def _closing_soon(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        Lot.status == "live",
        Lot.sale_mode == "sealed_bid",
        Lot.closes_at > now,
        Lot.closes_at <= now + rules.CLOSING_SOON,
    )


async def buyer_needs(session: AsyncSession, principal: Principal, now: datetime) -> Dashboard:
    """Quotes, proposals and runner-up offers to answer, orders to pay, receive and inspect, dispute offers,
    and lots closing soon where the organisation has a bid."""
    org = principal.org_id
    proposals = await session.execute(
        select(Proposal.id, Org.name)
        .join(Org, Org.id == Proposal.broker_org_id)
        .where(Proposal.client_org_id == org, Proposal.status == "sent", Proposal.valid_until > now)
        .order_by(Proposal.valid_until)
    )
    runner_up = await session.execute(
        select(RunnerUpOffer.id, Lot.title, RunnerUpOffer.amount_minor, RunnerUpOffer.currency, RunnerUpOffer.due_at)
        .join(Lot, Lot.id == RunnerUpOffer.lot_id)
        .where(RunnerUpOffer.org_id == org, RunnerUpOffer.status == "offered")
        .order_by(RunnerUpOffer.due_at)
    )
    orders = await _orders_waiting(session, Order.buyer_org_id == org, rules.WAITING_FOR_BUYER)
    offers = await _disputes(session, Dispute.buyer_org_id == org, Dispute.status == "offered")
    bids = await session.execute(
        select(Lot.id, Lot.title, Bid.amount_minor, Bid.currency, Lot.closes_at)
        .join(Bid, Bid.lot_id == Lot.id)
        .where(Bid.bidder_org_id == org, Bid.amount_minor.is_not(None), *_closing_soon(now))
        .order_by(Lot.closes_at)
    )
    open_bids = await session.scalar(
        select(func.count())
        .select_from(Bid)
        .join(Lot, Lot.id == Bid.lot_id)
        .where(Bid.bidder_org_id == org, Bid.amount_minor.is_not(None), Lot.status == "live")
    )
    tasks = [
        await _threads_waiting(session, principal, "buyer", now),
        _task("proposals_to_answer", "/proposals", [Item(broker, f"/proposals/{i}") for i, broker in proposals]),
        _task(
            "runner_up_offers",
            "/orders",
            [Item(t, f"/runner-up-offers/{i}", format_minor(m, c), c, due) for i, t, m, c, due in runner_up],
        ),
        _task("to_pay", "/orders?role=buyer&status=awaiting_payment", _due(orders, rules.WAITING_FOR_BUYER, "to_pay")),
        _task("to_receive", "/orders?role=buyer&status=shipped", _due(orders, rules.WAITING_FOR_BUYER, "to_receive")),
        _task("to_inspect", "/orders?role=buyer", _due(orders, rules.WAITING_FOR_BUYER, "to_inspect")),
        _task("dispute_offers", "/orders?role=buyer&status=disputed", offers),
        _task(
            "bids_closing_soon",
            "/bids",
            [Item(t, f"/lots/{i}/sale", format_minor(m, c), c, at) for i, t, m, c, at in bids],
        ),
    ]
    figures = [
        await _in_escrow(session, Order.buyer_org_id == org),
        await _this_month(session, "bought_this_month", Order.buyer_org_id == org, now),
        Figure("open_bids", count=int(open_bids or 0)),
    ]
    return Dashboard("buyer", [task for task in tasks if task.count], figures)


async def broker_needs(session: AsyncSession, principal: Principal, now: datetime) -> Dashboard:
    """Clients' requests without a proposal yet, proposals waiting for the client, commission earned."""
    org = principal.org_id
    requests = await session.execute(
        select(ProcurementRequest.id, Org.name)
        .join(Org, Org.id == ProcurementRequest.client_org_id)
        .where(
            ProcurementRequest.broker_org_id == org,
            ProcurementRequest.deliver_by >= now.date(),
            ~exists().where(Proposal.request_id == ProcurementRequest.id),
        )
        .order_by(ProcurementRequest.deliver_by)
    )
    waiting = await session.execute(
        select(Proposal.id, Org.name, Proposal.valid_until)
        .join(Org, Org.id == Proposal.client_org_id)
        .where(Proposal.broker_org_id == org, Proposal.status == "sent", Proposal.valid_until > now)
        .order_by(Proposal.valid_until)
    )
    commission = await session.execute(
        select(LedgerAccount.currency, func.sum(LedgerAccount.posted))
        .where(LedgerAccount.purpose == BROKER_COMMISSION, LedgerAccount.org_id == org)
        .group_by(LedgerAccount.currency)
        .order_by(LedgerAccount.currency)
    )
    accepted = await session.scalar(
        select(func.count(Proposal.id)).where(
            Proposal.broker_org_id == org, Proposal.status == "accepted", Proposal.decided_at >= rules.month_start(now)
        )
    )
    tasks = [
        _task("requests_without_proposals", "/desk", [Item(name, f"/desk/requests/{i}") for i, name in requests]),
        _task(
            "proposals_awaiting_client",
            "/proposals",
            [Item(name, f"/proposals/{i}", at=until) for i, name, until in waiting],
        ),
    ]
    figures = [
        Figure("commission", amounts=_money(commission.all())),
        Figure("accepted_this_month", count=accepted or 0),
    ]
    return Dashboard("broker", [task for task in tasks if task.count], figures)


async def admin_needs(session: AsyncSession, principal: Principal, now: datetime) -> Dashboard:
    """Lots waiting for review, organisations waiting for verification, disputes escalated to the admins."""
    reviews = await session.execute(select(Lot.id, Lot.title).where(Lot.status == "in_review").order_by(Lot.id))
    orgs = await session.execute(
        select(Org.id, Org.name)
        .where(Org.verified.is_(False), Org.details_submitted_at.is_not(None), Org.rejected_at.is_(None))
        .order_by(Org.details_submitted_at)
    )
    disputes = await _disputes(session, Dispute.status == "escalated")
    tasks = [
        _task("lots_in_review", "/admin/reviews", [Item(title, f"/lots/{i}") for i, title in reviews]),
        _task("orgs_to_verify", "/admin/orgs", [Item(name, f"/admin/orgs/{i}") for i, name in orgs]),
        _task("disputes_escalated", "/admin/disputes", disputes),
    ]
    figures = [await _in_escrow(session, None), await _this_month(session, "orders_this_month", None, now)]
    return Dashboard("admin", [task for task in tasks if task.count], figures)


async def needs_me(session: AsyncSession, principal: Principal, now: datetime) -> Dashboard:
    """The dashboard of the viewer's role (an organisation's kind, or admin)."""
    if principal.is_admin:
        return await admin_needs(session, principal, now)
    if principal.org_id is None:
        return Dashboard(principal.role, [], [])
    by_kind = {"seller": seller_needs, "buyer": buyer_needs, "broker": broker_needs}
    needs = by_kind.get(principal.org_kind or "")
    return await needs(session, principal, now) if needs else Dashboard(principal.role, [], [])
