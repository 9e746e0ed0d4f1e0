"""Procurement requests: posted by a broker for a client (a buyer org) or by a buyer for itself."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

import msgspec
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import paging
from exchange.accounts.errors import WRONG_ORG_KIND
from exchange.accounts.models import Org
from exchange.accounts.principal import Principal
from exchange.errors import Forbidden, NotFound, Problems, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.matching import schemas
from exchange.matching.errors import NOT_YOUR_CLIENT, REQUEST_NOT_FOUND
from exchange.matching.models import ProcurementRequest
from exchange.matching.needs import check_categories, compile_groups, expand_categories
from exchange.matching.rules import CERTIFICATES, normalise_certificate
from exchange.money import format_minor, parse_currency, parse_money
from exchange.specs.units import quantity_unit

__all__ = [
    "check_request",
    "create_request",
    "get_request_for",
    "get_request_to_work_on",
    "list_requests_for",
    "request_out",
    "requests_page_for",
]

_CERTIFICATES = {normalise_certificate(c): c for c in CERTIFICATES}


def _quantity(raw: str | int | float) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise Unprocessable(N_("Give the quantity as a number."), field="quantity.value") from None
    if not value.is_finite() or value <= 0 or value > Decimal("1e12"):
        raise Unprocessable(N_("The quantity must be more than zero."), field="quantity.value")
    if value != value.quantize(Decimal("0.0001")):
        raise Unprocessable(N_("The quantity has more than 4 decimal places."), field="quantity.value")
    return value


def _certificate(raw: str, index: int) -> str:
    known = _CERTIFICATES.get(normalise_certificate(raw))
    if known is None:
        raise Unprocessable(
            Msg("{certificate} is not a certificate we know; use one of: {known}.", certificate=repr(raw[:40]),
                known=", ".join(CERTIFICATES)),
            field=f"certificates[{index}]",
        )  # fmt: skip
    return known


def _budget_order(budget_min: int | None, budget_max: int | None) -> None:
    if budget_min is not None and budget_max is not None and budget_min > budget_max:
        raise Unprocessable(N_("The budget's minimum is above its maximum."), field="budget_per_unit.min")


def _not_past(deliver_by: date, now: datetime) -> None:
    if deliver_by < now.date():
        raise Unprocessable(N_("The delivery date is in the past."), field="deliver_by")


def _region(raw: str) -> str:
    region = raw.strip()
    if not region:
        raise Unprocessable(N_("Give the delivery region."), field="region")
    return region


def _money(raw: str | int | None, currency: str | None, field: str) -> int | None:
    return parse_money(raw, currency, field=field) if raw is not None and currency is not None else None


def check_request(given: Mapping[str, Any], now: datetime, found: Problems) -> dict[str, Any]:
    """A procurement request's fields checked, every problem into `found` in the order the API answers them; a
    field missing from `given` (a page form could not read it) is not checked. The checked values."""
    checked: dict[str, Any] = {}
    currency = checked["currency"] = found.check(partial(parse_currency, given.get("currency", "CNY")))
    quantity = given.get("quantity")
    if quantity is not None:
        checked["quantity_value"] = found.check(partial(_quantity, quantity.value))
        checked["quantity_unit"] = found.check(partial(quantity_unit, quantity.unit))
    budget = given.get("budget_per_unit")
    if budget is not None:
        checked["budget_max"] = found.check(partial(_money, budget.max, currency, "budget_per_unit.max"))
        checked["budget_min"] = found.check(partial(_money, budget.min, currency, "budget_per_unit.min"))
        found.check(partial(_budget_order, checked["budget_min"], checked["budget_max"]))
    checked["budget_total"] = found.check(partial(_money, given.get("budget_total"), currency, "budget_total"))
    if given.get("deliver_by") is not None:
        found.check(partial(_not_past, given["deliver_by"], now))
    categories = checked["categories"] = check_categories(given.get("categories") or [], found)
    certificates = [found.check(partial(_certificate, raw, i)) for i, raw in enumerate(given.get("certificates", []))]
    checked["certificates"] = [c for c in certificates if c is not None]
    checked["groups"] = [
        {key: {op: v for op, v in msgspec.structs.asdict(bound).items() if v is not None} for key, bound in g.items()}
        for g in given.get("requirement_groups", [])
    ]
    if categories and "categories" in given:  # checks keys, units and choices (422 naming the field)
        compile_groups(expand_categories(categories), checked["groups"], found)
    if "region" in given:
        checked["region"] = found.check(partial(_region, given["region"]))
    return checked


async def _client_org(session: AsyncSession, principal: Principal, client_org_id: int | None) -> tuple[int, int | None]:
    """(client org, broker org or None) for the caller."""
    if principal.org_kind == "buyer" and principal.org_id is not None:
        if client_org_id not in (None, principal.org_id):
            raise Unprocessable(N_("A buyer posts requests for its own organisation only."), field="client_org_id")
        return principal.org_id, None
    if principal.org_kind != "broker" or principal.org_id is None:
        raise Forbidden(N_("Only broker and buyer organisations post procurement requests."), code=WRONG_ORG_KIND)
    if client_org_id is None:
        raise Unprocessable(N_("Name the client: client_org_id, a buyer organisation."), field="client_org_id")
    kind = await session.scalar(select(Org.kind).where(Org.id == client_org_id))
    if kind != "buyer":
        raise Unprocessable(
            N_("The client must be a buyer organisation on the exchange."), field="client_org_id", code=NOT_YOUR_CLIENT
        )
    return client_org_id, principal.org_id


async def create_request(
    session: AsyncSession, principal: Principal, data: schemas.ProcurementRequestIn, *, now: datetime
) -> ProcurementRequest:
    client_org_id, broker_org_id = await _client_org(session, principal, data.client_org_id)
    checked = check_request(msgspec.structs.asdict(data), now, found := Problems())
    found.raise_first()
    request = ProcurementRequest(
        client_org_id=client_org_id,
        broker_org_id=broker_org_id,
        purpose=data.purpose,
        quantity_value=checked["quantity_value"],
        quantity_unit=checked["quantity_unit"],
        budget_min_minor=checked["budget_min"],
        budget_max_minor=checked["budget_max"],
        budget_total_minor=checked["budget_total"],
        currency=checked["currency"],
        categories=checked["categories"],
        certificates=checked["certificates"],
        requirement_groups=checked["groups"],
        min_shelf_life_days=data.min_shelf_life_days,
        deliver_by=data.deliver_by,
        region=checked["region"],
        grades=sorted(set(data.grades)),
        branding=sorted(set(data.branding)),
        max_sellers=data.max_sellers,
        created_at=now,
    )
    session.add(request)
    await session.flush()
    return request


def _mine(principal: Principal):  # type: ignore[no-untyped-def]
    org = principal.org_id or 0
    return or_(ProcurementRequest.broker_org_id == org, ProcurementRequest.client_org_id == org)


async def get_request_for(session: AsyncSession, principal: Principal, request_id: int) -> ProcurementRequest:
    """The request, for its broker and its client; 404 for everyone else."""
    request = await session.scalar(
        select(ProcurementRequest).where(ProcurementRequest.id == request_id, _mine(principal))
    )
    if request is None:
        raise NotFound(
            Msg("There is no procurement request {request}, or it is not yours.", request=request_id),
            code=REQUEST_NOT_FOUND,
        )
    return request


async def get_request_to_work_on(session: AsyncSession, principal: Principal, request_id: int) -> ProcurementRequest:
    """The request for whoever works on it: its broker, or the buyer that posted it for itself. A broker's
    client reads the request but not its matches (they hold the lots' prices, the broker's cost)."""
    request = await get_request_for(session, principal, request_id)
    if request.broker_org_id not in (None, principal.org_id):
        raise NotFound(
            Msg("There is no procurement request {request} of yours to match.", request=request_id),
            code=REQUEST_NOT_FOUND,
        )
    return request


def _requests_query(principal: Principal) -> Any:
    return (
        select(ProcurementRequest)
        .where(_mine(principal))
        .order_by(ProcurementRequest.created_at.desc(), ProcurementRequest.id.desc())
    )


async def list_requests_for(
    session: AsyncSession, principal: Principal, *, limit: int = 200
) -> list[ProcurementRequest]:
    return list(await session.scalars(_requests_query(principal).limit(limit)))


async def requests_page_for(
    session: AsyncSession, principal: Principal, window: paging.Window
) -> tuple[list[ProcurementRequest], int]:
    """One window of `list_requests_for`'s requests, newest first, and how many there are in all."""
    rows, total = await paging.fetch_window(session, _requests_query(principal), window)
    return [row for (row,) in rows], total


def request_out(request: ProcurementRequest) -> schemas.ProcurementRequest:
    currency = request.currency
    return schemas.ProcurementRequest(
        id=request.id,
        client_org_id=request.client_org_id,
        broker_org_id=request.broker_org_id,
        purpose=request.purpose,
        quantity=schemas.Quantity(value=f"{Decimal(request.quantity_value).normalize():f}", unit=request.quantity_unit),
        budget_per_unit=schemas.Budget(
            max=format_minor(request.budget_max_minor, currency) or "0",
            min=format_minor(request.budget_min_minor, currency),
        ),
        budget_total=format_minor(request.budget_total_minor, currency),
        currency=currency,
        categories=list(request.categories),
        certificates=list(request.certificates),
        requirement_groups=list(request.requirement_groups),
        min_shelf_life_days=request.min_shelf_life_days,
        deliver_by=request.deliver_by,
        region=request.region,
        grades=list(request.grades),
        branding=list(request.branding),
        max_sellers=request.max_sellers,
        created_at=request.created_at,
    )
