"""Wanted requests: a buyer posts what they need; sellers answer with a live lot and a quote."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any, Literal

import msgspec
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.errors import WRONG_ORG_KIND
from exchange.accounts.principal import Principal
from exchange.db.base import utcnow
from exchange.errors import Conflict, Forbidden, NotFound, Problems, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Money, Msg
from exchange.lots.models import Lot, LotInvite
from exchange.money import format_minor, parse_currency, parse_money
from exchange.rfq import schemas, units
from exchange.rfq.errors import BUYER_NOT_INVITED, NOT_YOUR_REQUEST, REQUEST_CLOSED, WANTED_NOT_FOUND
from exchange.rfq.models import RfqThread, WantedRequest
from exchange.rfq.services._notices import notify_thread
from exchange.rfq.services._specs import check_category, check_constraints
from exchange.rfq.services._terms import given_terms, read_terms_of, terms_problems
from exchange.rfq.services._threads import end_threads, require_rfq_open_lot, start_thread
from exchange.rfq.services._views import org_names
from exchange.runtime import Runtime, clock_of
from exchange.text import clean_text

__all__ = [
    "answer_currency",
    "answer_wanted",
    "answerable_lots",
    "cancel_wanted",
    "check_wanted",
    "create_wanted",
    "get_wanted",
    "list_wanted",
    "load_wanted",
    "wanted_out",
]

WantedFilter = Literal["mine", "board", "all"]


async def create_wanted(
    session: AsyncSession, principal: Principal, data: schemas.WantedCreate, *, now: datetime | None = None
) -> WantedRequest:
    """Post a wanted request (verified buyers): the category and its spec constraints are checked against
    the catalogue, units with pint; constraints are stored as given."""
    now = now or utcnow()
    if principal.org_id is None or principal.org_kind != "buyer":
        raise Forbidden(N_("Only buyer organisations post wanted requests."), code=WRONG_ORG_KIND)
    checked = check_wanted(msgspec.structs.asdict(data), now, found := Problems())
    found.raise_first()
    request = WantedRequest(
        buyer_org_id=principal.org_id,
        title=checked["title"],
        category=checked["category"],
        spec_constraints=checked["specs"],
        quantity_value=checked["quantity_value"].quantize(Decimal("0.0001")),
        quantity_unit=checked["quantity_unit"],
        budget_minor=checked.get("budget"),
        currency=checked["currency"],
        deadline=data.deadline,
        delivery_region=data.delivery_region.strip(),
        notes=data.notes.strip(),
        status="open",
    )
    session.add(request)
    await session.flush()
    return request


def _quantity(raw: str) -> Decimal:
    quantity = units.parse_decimal(raw)
    if quantity is None or quantity <= 0 or quantity > Decimal("1e12"):
        raise Unprocessable(N_("quantity.value must be a positive number."), field="quantity.value")
    return quantity


def _not_past(deadline: date, now: datetime) -> date:
    if deadline < now.date():
        raise Unprocessable(N_("The deadline cannot be in the past."), field="deadline")
    return deadline


def check_wanted(given: Mapping[str, Any], now: datetime, found: Problems) -> dict[str, Any]:
    """A wanted request's fields checked, every problem into `found` (in the order the API answers them).

    `given` holds the request's fields by name; one that is missing (a page form could not read it) is not
    checked. Returns the checked values: quantity_value, quantity_unit, currency, category, title, specs, budget."""
    checked: dict[str, Any] = {}
    quantity = given.get("quantity")
    if quantity is not None:
        checked["quantity_value"] = found.check(partial(_quantity, quantity.value))
        checked["quantity_unit"] = found.check(partial(units.check_unit, quantity.unit))
    if given.get("deadline") is not None:
        found.check(partial(_not_past, given["deadline"], now))
    currency = checked["currency"] = found.check(partial(parse_currency, given.get("currency")))
    if "category" in given:
        checked["category"] = found.check(partial(check_category, given["category"]))
    if "title" in given:
        checked["title"] = found.check(
            partial(clean_text, given["title"], field="title", label="The title", required=True, min_length=3)
        )
    if checked.get("category") and given.get("specs"):
        checked["specs"] = check_constraints(checked["category"], given["specs"], found)
    else:
        checked["specs"] = []
    if given.get("budget") is not None and currency is not None:
        checked["budget"] = found.check(partial(parse_money, given["budget"], currency, field="budget"))
    return checked


def _effective_status(request: WantedRequest, now: datetime) -> str:
    if request.status == "open" and request.deadline < now.date():
        return "expired"
    return request.status


def wanted_out(request: WantedRequest, buyer_name: str, answer_count: int, now: datetime) -> schemas.Wanted:
    quantity = request.quantity_value.normalize()
    return schemas.Wanted(
        id=request.id,
        buyer_org_id=request.buyer_org_id,
        buyer_org_name=buyer_name,
        title=request.title,
        category=request.category,
        specs=[msgspec.convert(c, schemas.SpecConstraint) for c in request.spec_constraints],
        quantity=schemas.Quantity(value=f"{quantity:f}", unit=request.quantity_unit),
        budget=format_minor(request.budget_minor, request.currency),
        currency=request.currency,
        deadline=request.deadline,
        delivery_region=request.delivery_region,
        notes=request.notes,
        status=_effective_status(request, now),
        answer_count=answer_count,
        created_at=request.created_at,
    )


async def load_wanted(session: AsyncSession, principal: Principal, request_id: int) -> WantedRequest:
    """The request for its buyer, admins, and sellers (any open request is on the sellers' board)."""
    request = await session.get(WantedRequest, request_id, populate_existing=True)
    visible = request is not None and (
        principal.is_admin
        or request.buyer_org_id == principal.org_id
        or (principal.org_kind == "seller" and request.status == "open")
    )
    if request is None or not visible:
        raise NotFound(
            Msg("There is no wanted request {request_id}, or it is not visible to you.", request_id=request_id),
            code=WANTED_NOT_FOUND,
        )
    return request


async def _answer_counts(session: AsyncSession, ids: list[int], seller_org_id: int | None) -> dict[int, int]:
    if not ids:
        return {}
    query = select(RfqThread.wanted_request_id, func.count()).where(RfqThread.wanted_request_id.in_(ids))
    if seller_org_id is not None:
        query = query.where(RfqThread.seller_org_id == seller_org_id)
    rows = await session.execute(query.group_by(RfqThread.wanted_request_id))
    return {int(request_id): int(count) for request_id, count in rows.all() if request_id is not None}


async def list_wanted(
    session: AsyncSession, principal: Principal, *, which: WantedFilter | None = None, now: datetime | None = None
) -> list[schemas.Wanted]:
    """Buyers: their own requests. Sellers: the board of open requests before their deadline. Admins: all.

    A seller's `answer_count` counts only their own answers (competitors' are not theirs to see).
    """
    now = now or utcnow()
    which = which or ("all" if principal.is_admin else "mine" if principal.org_kind == "buyer" else "board")
    query = select(WantedRequest)
    if which == "mine" or (which == "all" and not principal.is_admin):
        query = query.where(WantedRequest.buyer_org_id == principal.org_id)
    elif which == "board":
        if principal.org_kind != "seller" and not principal.is_admin:
            return []
        query = query.where(WantedRequest.status == "open", WantedRequest.deadline >= now.date())
    requests = list(await session.scalars(query.order_by(WantedRequest.created_at.desc()).limit(200)))
    names = await org_names(session, {r.buyer_org_id for r in requests})
    seller_only = principal.org_id if principal.org_kind == "seller" else None
    counts = await _answer_counts(session, [r.id for r in requests], seller_only)
    return [wanted_out(r, names.get(r.buyer_org_id, ""), counts.get(r.id, 0), now) for r in requests]


async def get_wanted(
    session: AsyncSession, principal: Principal, request_id: int, *, now: datetime | None = None
) -> schemas.Wanted:
    now = now or utcnow()
    request = await load_wanted(session, principal, request_id)
    names = await org_names(session, {request.buyer_org_id})
    seller_only = principal.org_id if principal.org_kind == "seller" else None
    counts = await _answer_counts(session, [request.id], seller_only)
    return wanted_out(request, names.get(request.buyer_org_id, ""), counts.get(request.id, 0), now)


def _not_own_lot(data: schemas.WantedAnswer, currency: str, now: datetime) -> Unprocessable:
    """The refusal of an answer naming someone else's lot, with the terms' problems in its `also` (checked in the
    request's currency) so that a page shows them together."""
    refused = Unprocessable(N_("Answer with one of your own lots."), field="lot_id")
    terms_problems(given_terms(data), currency, now, found := Problems())
    refused.also = found.found
    return refused


async def answer_currency(session: AsyncSession, principal: Principal, request_id: int, lot_id: str) -> str:
    """The currency an answer's price is read in: the named lot's when it is one of the caller's, else the
    request's (a page form checks the price with it when other fields do not read)."""
    request = await load_wanted(session, principal, request_id)
    if lot_id.isdigit() and len(lot_id) <= 10:
        currency = await session.scalar(
            select(Lot.currency).where(Lot.id == int(lot_id), Lot.seller_org_id == principal.org_id)
        )
        if currency:
            return str(currency)
    return request.currency


async def answer_wanted(
    session: AsyncSession,
    principal: Principal,
    request_id: int,
    data: schemas.WantedAnswer,
    *,
    runtime: Runtime | None = None,
    now: datetime | None = None,
) -> RfqThread:
    """A seller answers with one of their own live lots and a quote; that opens a thread with the buyer."""
    now = now or clock_of(runtime).now()
    if principal.org_id is None or principal.org_kind != "seller":
        raise Forbidden(N_("Only seller organisations answer wanted requests."), code=WRONG_ORG_KIND)
    request = await load_wanted(session, principal, request_id)
    if _effective_status(request, now) != "open":
        raise Conflict(N_("This request no longer takes answers."), code=REQUEST_CLOSED, title="Request closed")
    lot = await session.get(Lot, data.lot_id, populate_existing=True)
    if lot is None or lot.seller_org_id != principal.org_id:
        raise _not_own_lot(data, request.currency, now)
    await require_rfq_open_lot(session, lot)
    if lot.visibility == "private":
        invited = await session.scalar(
            select(LotInvite.org_id).where(LotInvite.lot_id == lot.id, LotInvite.org_id == request.buyer_org_id)
        )
        if invited is None:
            raise Conflict(
                N_("This lot is private and the buyer is not invited; invite them to the lot first."),
                code=BUYER_NOT_INVITED,
                title="Buyer cannot see this lot",
            )
    terms = read_terms_of(data, lot.currency, now)
    thread, _offer = await start_thread(
        session,
        lot,
        buyer_org_id=request.buyer_org_id,
        opened_by="seller",
        by_user_id=principal.user_id,
        terms=terms,
        delivery_region=request.delivery_region,
        wanted_request_id=request.id,
    )
    await notify_thread(
        session,
        request.buyer_org_id,
        thread.id,
        kind="rfq_offer",
        title=Msg("New quote for your request: {title}", title=request.title),
        body=Msg(
            "{seller} offers {lot} for {price}. Compare it with the other quotes on your request's page.",
            seller=principal.org_name or Msg("A seller"),
            lot=lot.title,
            price=Money(format_minor(terms.price_minor, lot.currency), lot.currency),
        ),
        runtime=runtime,
        link=f"/wanted/{request.id}",
    )
    return thread


async def cancel_wanted(
    session: AsyncSession,
    principal: Principal,
    request_id: int,
    *,
    runtime: Runtime | None = None,
    now: datetime | None = None,
) -> WantedRequest:
    """The buyer withdraws the request; open answers are declined with a notice to their sellers."""
    now = now or clock_of(runtime).now()
    request = await load_wanted(session, principal, request_id)
    if request.buyer_org_id != principal.org_id:
        raise Forbidden(N_("Only the buyer who posted this request can withdraw it."), code=NOT_YOUR_REQUEST)
    if request.status != "open":
        raise Conflict(
            Msg("This request is already {status}.", status=request.status), code=REQUEST_CLOSED, title="Request closed"
        )
    result = await session.execute(
        update(WantedRequest)
        .where(WantedRequest.id == request.id, WantedRequest.status == "open")
        .values(status="cancelled", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise Conflict(
            N_("This request was fulfilled or withdrawn meanwhile."), code=REQUEST_CLOSED, title="Request closed"
        )
    await end_threads(
        session,
        select(RfqThread).where(RfqThread.wanted_request_id == request.id, RfqThread.status == "open"),
        status="declined",
        reason="The buyer withdrew the request.",
        notify_side="seller",
        title=f"Request withdrawn: {request.title}",
        runtime=runtime,
        now=now,
    )
    await session.refresh(request)
    return request


async def answerable_lots(session: AsyncSession, principal: Principal) -> list[tuple[int, str]]:
    """(id, title) of the caller's own live lots that take RFQs: what a seller can answer a request with."""
    if principal.org_id is None:
        return []
    rows = await session.execute(
        select(Lot.id, Lot.title)
        .where(Lot.seller_org_id == principal.org_id, Lot.status == "live", Lot.rfq_enabled.is_(True))
        .order_by(Lot.id.desc())
        .limit(200)
    )
    return [(lot_id, title) for lot_id, title in rows.all()]
