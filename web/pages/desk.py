"""The brokers' desk pages: the pipeline, the request form, matches with explanations and near misses,
bundles, the proposal builder, and a proposal's page — the broker's template and the client's template
are separate, and the client's is only ever given the client's Struct (no cost, margin or commission)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.guards import current_principal, requires_org_kind, requires_signed_in
from exchange.accounts.models import Org
from exchange.accounts.principal import Principal
from exchange.errors import DomainError, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.matching import accept, proposals, requests, rules, schemas
from exchange.matching.accept import LotsUnavailable
from exchange.matching.matches import bundles_for, matches_for
from exchange.matching.proposals import offerable_lots
from exchange.money import format_minor, parse_money
from exchange.params import Id
from exchange.runtime import Runtime
from exchange.specs.catalog import get_catalog
from web.category_picker import category_choices, spec_constraints
from web.confirm_orders import proposal_step
from web.confirm_steps import is_confirmed
from web.form_errors import FieldErrors, convert_form, field_errors, plain_words, service_checks
from web.pages.forms import form_fields

__all__ = ["DeskPages", "ProposalPages"]

GROUPS = 2
_YES_NO = {"yes": True, "no": False}
PURPOSES = ("gift", "welfare", "promotion")
BRANDING = ("logo removal", "custom packaging", "relabelling")


def _split(raw: str) -> list[str]:
    return [part.strip() for part in raw.replace("\n", ",").split(",") if part.strip()]


def _requirement_groups(form: dict[str, str]) -> tuple[list[dict[str, dict[str, Any]]], dict[str, str]]:
    """The options' spec fields as the API's requirement groups (values as typed, units and all; yes/no as
    true/false), and each group entry's input name, to show a problem under its field."""
    category = get_catalog().get(form.get("category", ""))
    types = {spec.key: spec.type for spec in category.fields} if category else {}
    groups: list[dict[str, dict[str, Any]]] = []
    names = {"categories": "category", "categories[0]": "category"}
    for g in range(GROUPS):
        group: dict[str, dict[str, Any]] = {}
        for name, need in spec_constraints(form, prefix=f"g{g}."):
            raw = form[name].strip()
            key, op = need["key"], need["op"]
            group.setdefault(key, {})[op] = _YES_NO.get(raw, raw) if types.get(key) == "bool" else raw
            names[f"requirement_groups[{len(groups)}].{key}.{op}"] = name
            names.setdefault(f"requirement_groups[{len(groups)}].{key}", name)
        if group:
            groups.append(group)
    return groups, names


def _request_from_form(
    form: dict[str, str], checked: dict[str, list[str]], now: datetime
) -> schemas.ProcurementRequestIn:
    groups, _ = _requirement_groups(form)
    budget: dict[str, str] = {"max": form.get("budget_max", "").strip()}
    if form.get("budget_min", "").strip():
        budget["min"] = form["budget_min"].strip()
    data: dict[str, Any] = {
        "purpose": form.get("purpose", ""),
        "quantity": {"value": form.get("quantity_value", "").strip(), "unit": form.get("quantity_unit", "").strip()},
        "budget_per_unit": budget,
        "currency": form.get("currency", "CNY").strip() or "CNY",
        "categories": [form["category"].strip()] if form.get("category", "").strip() else [],
        "certificates": checked.get("certificates", []),
        "requirement_groups": groups,
        "deliver_by": form.get("deliver_by", "").strip(),
        "region": form.get("region", "").strip(),
        "grades": checked.get("grades", []),
        "branding": checked.get("branding", []),
    }
    for name in ("client_org_id", "max_sellers", "min_shelf_life_days"):
        if form.get(name, "").strip():
            data[name] = form[name].strip()
    if form.get("budget_total", "").strip():
        data["budget_total"] = form["budget_total"].strip()
    return convert_form(data, schemas.ProcurementRequestIn, checks=service_checks(requests.check_request, now))


async def _clients(session: AsyncSession) -> list[tuple[int, str]]:
    rows = await session.execute(select(Org.id, Org.name).where(Org.kind == "buyer").order_by(Org.name).limit(500))
    return [(org_id, name) for org_id, name in rows.all()]


async def _checked(request: Request[Any, Any, Any]) -> dict[str, list[str]]:
    form = await request.form()
    return {
        name: [v for v in form.getall(name, []) if isinstance(v, str)]
        for name in ("certificates", "grades", "branding")
    }


def _builder_lines(
    form: dict[str, str], lots: list[schemas.MatchLot], currency: str
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Each lot with the broker's cost, the client price typed (or cost + 10 %), margin and commission."""
    lines, totals = [], {"cost": 0, "price": 0, "margin": 0, "commission": 0}
    for lot in lots:
        cost = parse_money(lot.price, currency) if lot.price else None
        raw = form.get(f"price_{lot.id}", "").strip()
        try:
            price = parse_money(raw, currency, field=f"price_{lot.id}") if raw else None
        except Unprocessable:
            price = None
        if price is None:
            price = (cost * 11 + 9) // 10 if cost is not None else 0
        margin, commission = rules.line_money(cost, price, rules.COMMISSION_PERCENT)
        totals["cost"] += cost if cost is not None else price
        totals["price"] += price
        totals["margin"] += margin
        totals["commission"] += commission
        lines.append(
            {
                "lot": lot,
                "cost": format_minor(cost, currency),
                "price": format_minor(price, currency),
                "margin": format_minor(margin, currency),
                "commission": format_minor(commission, currency),
            }
        )
    return lines, {k: format_minor(v, currency) or "0.00" for k, v in totals.items()}


class DeskPages(Controller):
    path = "/desk"
    include_in_schema = False
    guards = [requires_signed_in, requires_org_kind("broker", "buyer")]

    @get("/")
    async def pipeline(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        principal = current_principal(request)
        found = await proposals.proposals_for(db_session, principal)
        return Template("desk/pipeline.html", context=await _pipeline(db_session, principal, found))

    @get("/requests/new")
    async def new_request(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        return Template("desk/request_new.html", context=await self._form_context(request, db_session, {}, {}))

    async def _form_context(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, form: dict[str, Any], errors: FieldErrors
    ) -> dict[str, Any]:
        principal = current_principal(request)
        return {
            "form": form,
            "errors": errors,
            "groups": GROUPS,
            "ranges": True,
            "spec_fields_url": "/desk/requests/new/spec-fields",
            **category_choices(form),
            "purposes": PURPOSES,
            "branding": BRANDING,
            "certificates": rules.CERTIFICATES,
            "clients": await _clients(db_session) if principal.org_kind == "broker" else [],
            "is_broker": principal.org_kind == "broker",
        }

    @get("/requests/new/spec-fields")
    async def spec_fields(self, category: Annotated[str, QueryParameter(name="category")] = "") -> Template:
        """The options' spec fields of the chosen category (HTMX swaps them in when the category changes)."""
        form = {"category": category}
        context = {"form": form, "errors": {}, "groups": GROUPS, "ranges": True, **category_choices(form)}
        return Template("desk/_requirement_fields.html", context=context)

    @post("/requests/new")
    async def create_request(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime
    ) -> Template | Redirect:
        form = await form_fields(request)
        checked = await _checked(request)
        if form.get("refresh"):  # the category changed in a browser without JavaScript
            context = await self._form_context(request, db_session, {**form, **checked}, {})
            return Template("desk/request_new.html", context=context)
        try:
            data = _request_from_form(form, checked, runtime.clock.now())
            made = await requests.create_request(db_session, current_principal(request), data, now=runtime.clock.now())
        except DomainError as error:
            await db_session.rollback()
            errors = field_errors(error, _requirement_groups(form)[1])
            context = await self._form_context(request, db_session, {**form, **checked}, errors)
            return Template("desk/request_new.html", status_code=error.status_code, context=context)
        return Redirect(f"/desk/requests/{made.id}", status_code=303)

    @get("/requests/{request_id:int}")
    async def request_page(self, request: Request[Any, Any, Any], db_session: AsyncSession, request_id: Id) -> Template:
        principal = current_principal(request)
        found = await requests.get_request_to_work_on(db_session, principal, request_id)
        page = await matches_for(db_session, found)
        return Template(
            "desk/request.html",
            context={"req": requests.request_out(found), "page": page, "is_broker": principal.org_kind == "broker"},
        )

    @get("/requests/{request_id:int}/bundles")
    async def bundles(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, request_id: Id
    ) -> Template:
        principal = current_principal(request)
        found = await requests.get_request_to_work_on(db_session, principal, request_id)
        page = await bundles_for(db_session, found, overage_percent=runtime.settings.bundle_max_overage_percent)
        return Template(
            "desk/bundles.html",
            context={"req": requests.request_out(found), "page": page, "is_broker": principal.org_kind == "broker"},
        )

    async def _builder(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, request_id: int, form: dict[str, str]
    ) -> dict[str, Any]:
        principal = current_principal(request)
        if principal.org_kind != "broker":
            raise Unprocessable(N_("Only brokers build proposals."), field="lots")
        found = await requests.get_request_to_work_on(db_session, principal, request_id)
        chosen = [int(x) for x in _split(form.get("lots", "")) if x.isdigit() and len(x) < 10]
        lots = await offerable_lots(db_session, found.client_org_id, chosen)
        lines, totals = _builder_lines(form, lots, found.currency)
        return {
            "req": requests.request_out(found),
            "lines": lines,
            "totals": totals,
            "lots_value": ",".join(str(lot.id) for lot in lots),
            "form": form,
            "errors": {},
            "commission_percent": f"{rules.COMMISSION_PERCENT.normalize():f}",
        }

    @get("/requests/{request_id:int}/proposal", guards=[requires_org_kind("broker")])
    async def builder(self, request: Request[Any, Any, Any], db_session: AsyncSession, request_id: Id) -> Template:
        lots = ",".join(str(v) for v in request.query_params.getall("lots", []))
        context = await self._builder(request, db_session, request_id, {"lots": lots})
        return Template("desk/builder.html", context=context)

    @post("/requests/{request_id:int}/proposal", guards=[requires_org_kind("broker")])
    async def build(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, request_id: Id
    ) -> Template | Redirect:
        form = await form_fields(request)
        context = await self._builder(request, db_session, request_id, form)
        if form.get("action") != "create":  # "Work out the margins": the same page with the prices typed
            template = "desk/_builder_table.html" if request.headers.get("hx-request") else "desk/builder.html"
            return Template(template, context=context)
        principal = current_principal(request)
        try:
            data = convert_form(
                {
                    "request_id": request_id,
                    "lines": [{"lot_id": line["lot"].id, "client_price": line["price"]} for line in context["lines"]],
                    "note": form.get("note", ""),
                    "valid_until": form.get("valid_until", "").strip() + "T23:59:59Z",
                },
                schemas.ProposalIn,
            )
            made = await proposals.create_proposal(db_session, principal, data, now=runtime.clock.now())
            if form.get("send"):
                await proposals.send_proposal(db_session, principal, made.id, now=runtime.clock.now(), runtime=runtime)
        except DomainError as error:
            await db_session.rollback()
            context["errors"] = field_errors(error)
            return Template("desk/builder.html", status_code=error.status_code, context=context)
        flash(
            request,
            N_("Proposal sent to your client.") if form.get("send") else N_("Proposal saved as a draft."),
            "success",
        )
        return Redirect(f"/proposals/{made.id}", status_code=303)


class ProposalPages(Controller):
    path = "/proposals"
    include_in_schema = False
    guards = [requires_signed_in]

    @get("/")
    async def list_page(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        principal = current_principal(request)
        found = await proposals.proposals_for(db_session, principal)
        if principal.org_kind == "broker":
            return Template("desk/pipeline.html", context=await _pipeline(db_session, principal, found))
        rows = [await proposals.for_client(db_session, p) for p in found if p.client_org_id == principal.org_id]
        return Template("desk/proposals_client.html", context={"proposals": rows})

    async def _page(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, proposal_id: int, **extra: Any
    ) -> Template:
        principal = current_principal(request)
        found = await proposals.load_proposal(db_session, principal, proposal_id)
        status = int(extra.pop("status_code", 200))
        if found.broker_org_id == principal.org_id:
            view_b = await proposals.for_broker(db_session, found)
            return Template("desk/proposal_broker.html", status_code=status, context={"p": view_b, **extra})
        view_c = await proposals.for_client(db_session, found)
        return Template(
            "desk/proposal_client.html",
            status_code=status,
            context={"p": view_c, "accept_key": uuid.uuid4().hex, **extra},
        )

    @get("/{proposal_id:int}")
    async def proposal(self, request: Request[Any, Any, Any], db_session: AsyncSession, proposal_id: Id) -> Template:
        return await self._page(request, db_session, proposal_id)

    @post("/{proposal_id:int}/send")
    async def send(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, proposal_id: Id
    ) -> Template | Redirect:
        try:
            await proposals.send_proposal(
                db_session, current_principal(request), proposal_id, now=runtime.clock.now(), runtime=runtime
            )
        except DomainError as error:
            await db_session.rollback()
            if error.status_code == 404:
                raise
            return await self._page(
                request, db_session, proposal_id, error=plain_words(error), status_code=error.status_code
            )
        flash(request, N_("Proposal sent to your client."), "success")
        return Redirect(f"/proposals/{proposal_id}", status_code=303)

    @post("/{proposal_id:int}/accept")
    async def accept(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, proposal_id: Id
    ) -> Template | Redirect:
        form = await form_fields(request)
        consent = schemas.ProposalAccept(bid_consent=form.get("bid_consent") in ("on", "yes", "true", "1"))
        if not is_confirmed(request, form):
            found = await proposals.load_proposal(db_session, current_principal(request), proposal_id)
            view = await proposals.for_client(db_session, found)
            if found.client_org_id == current_principal(request).org_id and "accept" in view.allowed_actions:
                key = form.get("idempotency_key", "")[:100]
                step = proposal_step(view, bid_consent=consent.bid_consent, idempotency_key=key)
                return Template("confirm.html", context={"step": step, "currency": view.currency})
        try:
            answer = await accept.accept_proposal(
                runtime, current_principal(request), proposal_id, consent, form.get("idempotency_key") or None
            )
        except DomainError as error:
            if error.status_code == 404:
                raise
            named = error.lot_ids if isinstance(error, LotsUnavailable) else []
            return await self._page(
                request,
                db_session,
                proposal_id,
                error=plain_words(error),
                unavailable=named,
                status_code=error.status_code,
            )
        flash(request, Msg("Accepted: {count} order(s) await payment.", count=len(answer.orders)).render(), "success")
        return Redirect(f"/proposals/{proposal_id}", status_code=303)

    @post("/{proposal_id:int}/decline")
    async def decline(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, proposal_id: Id
    ) -> Template | Redirect:
        form = await form_fields(request)
        try:
            await proposals.decline_proposal(
                db_session,
                current_principal(request),
                proposal_id,
                form.get("reason", "")[:2000],
                now=runtime.clock.now(),
                runtime=runtime,
            )
        except DomainError as error:
            await db_session.rollback()
            if error.status_code == 404:
                raise
            return await self._page(
                request, db_session, proposal_id, error=plain_words(error), status_code=error.status_code
            )
        flash(request, N_("Proposal declined; your broker is told."), "success")
        return Redirect(f"/proposals/{proposal_id}", status_code=303)


async def _pipeline(session: AsyncSession, principal: Principal, found: list[Any]) -> dict[str, Any]:
    """The broker's pipeline (requests, proposals by state, commission earned), or a buyer's requests and
    the proposals it received (in the client's view)."""
    rows = [await proposals.view_for(session, principal, p) for p in found]
    broker_rows = [p for p in rows if isinstance(p, schemas.ProposalForBroker)]
    earned = sum((Decimal(p.commission) for p in broker_rows if p.status == "accepted"), Decimal(0))
    return {
        "requests": [requests.request_out(r) for r in await requests.list_requests_for(session, principal)],
        "proposals": rows,
        "counts": {s: sum(1 for p in rows if p.status == s) for s in ("draft", "sent", "accepted", "declined")},
        "earned": f"{earned:.2f}",
        "is_broker": principal.org_kind == "broker",
    }
