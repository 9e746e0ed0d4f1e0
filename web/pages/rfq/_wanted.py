"""Wanted-request pages: buyers post and compare; sellers browse the board and answer with a lot."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.guards import current_principal, requires_org_kind, requires_signed_in, requires_verified_org
from exchange.db.base import utcnow
from exchange.errors import DomainError, NotFound
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg, localized
from exchange.params import Id
from exchange.rfq import schemas, services
from exchange.rfq.errors import RFQ_NOT_FOUND
from exchange.runtime import Runtime
from web.category_picker import category_choices, spec_constraints
from web.confirm_steps import is_confirmed
from web.form_errors import FieldErrors, convert_form, field_errors, plain_words, service_checks
from web.pages.forms import form_fields
from web.pages.rfq._context import PAYMENT_TERMS_LABELS
from web.pages.rfq._forms import accept_confirmation, struct_from_form

__all__ = ["WantedPages"]

ANSWER_FIELDS = ("lot_id", "price", "delivery_by", "payment_terms", "packaging", "message")
_WANTED_NAMES = {"quantity.value": "quantity_value", "quantity.unit": "quantity_unit"}


def _wanted_from_form(form: dict[str, str]) -> schemas.WantedCreate:
    """The posted form as a `WantedCreate`, or a `FormRefused` naming every wrong field."""
    data: dict[str, Any] = {
        "title": form.get("title", "").strip(),
        "category": form.get("category", "").strip(),
        "quantity": {"value": form.get("quantity_value", "").strip(), "unit": form.get("quantity_unit", "").strip()},
        "deadline": form.get("deadline", "").strip(),
        "specs": [need for _, need in spec_constraints(form)],
        "delivery_region": form.get("delivery_region", "").strip(),
        "notes": form.get("notes", "").strip(),
    }
    if form.get("budget", "").strip():
        data["budget"] = form["budget"].strip()
    found: FieldErrors = {}
    for name, message in (("title", N_("Say what you need.")), ("category", N_("Choose a category."))):
        if not data[name]:
            found[name] = Msg(message)
    if not data["deadline"]:
        found["deadline"] = Msg(N_("Give the date you need it by."))
    return convert_form(data, schemas.WantedCreate, found=found, checks=service_checks(services.check_wanted, utcnow()))


def _wanted_errors(form: dict[str, str], error: DomainError) -> FieldErrors:
    """Each problem under its input; a spec's problem (`specs[1].value`) under the spec field it came from."""
    names = dict(_WANTED_NAMES)
    for index, (name, _) in enumerate(spec_constraints(form)):
        for part in ("", ".key", ".op", ".value", ".unit"):
            names[f"specs[{index}]{part}"] = name
    return field_errors(error, names)


def _new_context(form: dict[str, str], errors: FieldErrors) -> dict[str, Any]:
    return {"form": form, "errors": errors, "ranges": True, "spec_fields_url": "/wanted/new/spec-fields",
            **category_choices(form)}  # fmt: skip


class WantedPages(Controller):
    path = "/wanted"
    include_in_schema = False
    guards = [requires_signed_in]

    @get("/")
    async def board(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        principal = current_principal(request)
        requests = await services.list_wanted(db_session, principal)
        return Template("rfq/wanted_list.html", context={"requests": requests, "today": utcnow().date()})

    @get("/new", guards=[requires_org_kind("buyer")])
    async def new_form(self) -> Template:
        return Template("rfq/wanted_new.html", context=_new_context({}, {}))

    @get("/new/spec-fields", guards=[requires_org_kind("buyer")])
    async def spec_fields(self, category: Annotated[str, QueryParameter(name="category")] = "") -> Template:
        """The spec fields of a category, as bounds to meet (an HTMX partial of the request form)."""
        return Template("lots/_spec_fields.html", context=_new_context({"category": category}, {}))

    @post("/new", guards=[requires_org_kind("buyer"), requires_verified_org])
    async def create(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template | Redirect:
        form = await form_fields(request)
        if form.get("refresh"):  # the category changed in a browser without JavaScript
            return Template("rfq/wanted_new.html", context=_new_context(form, {}))
        try:
            wanted = await services.create_wanted(db_session, current_principal(request), _wanted_from_form(form))
        except DomainError as error:
            await db_session.rollback()
            return Template(
                "rfq/wanted_new.html",
                status_code=error.status_code,
                context=_new_context(form, _wanted_errors(form, error)),
            )
        flash(request, N_("Your request is on the sellers' board. Quotes will appear here."), category="success")
        return Redirect(f"/wanted/{wanted.id}", status_code=303)

    async def _detail(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, request_id: int, **extra: Any
    ) -> dict[str, Any]:
        principal = current_principal(request)
        wanted = await services.get_wanted(db_session, principal, request_id)
        mine = wanted.buyer_org_id == principal.org_id
        context: dict[str, Any] = {
            "wanted": wanted,
            "mine": mine,
            "labels": PAYMENT_TERMS_LABELS,
            "form": {},
            "errors": {},
            "accept_key": uuid.uuid4().hex,
            **extra,
        }
        if mine or principal.is_admin:
            context["comparison"] = await services.compare_answers(db_session, principal, request_id)
        if principal.org_kind == "seller":
            context["lots"] = await services.answerable_lots(db_session, principal)
            context["my_threads"] = [
                t for t in await services.list_threads_for(db_session, principal) if t.wanted_request_id == request_id
            ]
        return context

    @get("/{request_id:int}")
    async def detail(self, request: Request[Any, Any, Any], db_session: AsyncSession, request_id: Id) -> Template:
        return Template("rfq/wanted_detail.html", context=await self._detail(request, db_session, request_id))

    @post("/{request_id:int}/answers", guards=[requires_org_kind("seller"), requires_verified_org])
    async def answer(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, request_id: Id, runtime: Runtime
    ) -> Template | Redirect:
        form = await form_fields(request)
        principal, now = current_principal(request), runtime.clock.now()
        try:
            currency = await services.answer_currency(db_session, principal, request_id, form.get("lot_id", "").strip())
            checks = service_checks(services.terms_problems, currency, now)
            data = struct_from_form(form, schemas.WantedAnswer, ANSWER_FIELDS, checks)
            thread = await services.answer_wanted(db_session, principal, request_id, data, runtime=runtime, now=now)
        except DomainError as error:
            if error.status_code == 404:
                raise
            await db_session.rollback()
            context = await self._detail(request, db_session, request_id, form=form, errors=field_errors(error))
            return Template("rfq/wanted_detail.html", status_code=error.status_code, context=context)
        flash(request, N_("Your quote is sent to the buyer."), category="success")
        return Redirect(f"/rfqs/{thread.id}", status_code=303)

    @post("/{request_id:int}/cancel", guards=[requires_verified_org])
    async def cancel(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, request_id: Id, runtime: Runtime
    ) -> Redirect:
        try:
            await services.cancel_wanted(db_session, current_principal(request), request_id, runtime=runtime)
        except DomainError as error:
            await db_session.rollback()
            flash(request, localized(plain_words(error)), category="error")
            return Redirect(f"/wanted/{request_id}", status_code=303)
        flash(request, N_("Request withdrawn; sellers who answered have been told."), category="info")
        return Redirect("/wanted", status_code=303)

    @post("/{request_id:int}/accept/{thread_id:int}", guards=[requires_org_kind("buyer"), requires_verified_org])
    async def accept_from_comparison(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, request_id: Id, thread_id: Id, runtime: Runtime
    ) -> Redirect | Template:
        form = await form_fields(request)
        principal = current_principal(request)
        try:
            thread = await services.get_thread_for(db_session, principal, thread_id)
            if thread.wanted_request_id != request_id:
                raise NotFound(
                    Msg("Thread {thread} does not answer request {request}.", thread=thread_id, request=request_id),
                    code=RFQ_NOT_FOUND,
                )
            if not is_confirmed(request, form):
                page = await accept_confirmation(
                    db_session,
                    principal,
                    thread_id,
                    form,
                    action=f"/wanted/{request_id}/accept/{thread_id}",
                    back=f"/wanted/{request_id}",
                )
                if page is not None:
                    return page
            data = struct_from_form(form, schemas.AcceptIn, ("offer_id",))
            order = await services.accept_offer_once(
                db_session,
                principal,
                thread_id,
                data.offer_id,
                idempotency_key=form.get("idempotency_key") or None,
                runtime=runtime,
            )
        except DomainError as error:
            await db_session.rollback()
            flash(request, f"{localized(error.title)}: {localized(plain_words(error))}", category="error")
            return Redirect(f"/wanted/{request_id}", status_code=303)
        flash(
            request,
            Msg("Quote accepted: order #{order}. The other sellers have been told.", order=order.id).render(),
            category="success",
        )
        return Redirect(f"/orders/{order.id}", status_code=303)
