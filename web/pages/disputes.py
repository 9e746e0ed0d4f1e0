"""Inspection and dispute pages: the inspection form with the suggested refund, the dispute page with its
evidence, thread and the viewer's actions, and the admins' arbitration queue.

Forms post plainly (they work without JavaScript): a success redirects (303) to the dispute page, a refusal
shows the page again with the reason (in the refusal's status).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State, UploadFile
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.guards import current_principal, requires_admin, requires_signed_in
from exchange.disputes import schemas, services
from exchange.disputes.services.arbitration import QUEUE_FILTERS
from exchange.errors import DomainError, NotFound, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.orders import services as order_services
from exchange.params import Id
from exchange.runtime import Runtime
from web.confirm_orders import dispute_offer_step
from web.confirm_steps import is_confirmed
from web.form_errors import convert_form
from web.pages.forms import form_fields

__all__ = ["DisputePages", "DisputeQueuePages", "InspectionPages", "inspection_from_form"]


def _count(raw: str, field: str) -> int:
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise Unprocessable(Msg("Enter a whole number."), field=field)
    return int(raw)


def _defects_by_kind(raw: str) -> dict[str, int]:
    """Lines like `stains: 14` as {kind: units}."""
    kinds: dict[str, int] = {}
    for line in raw.splitlines():
        if not line.strip():
            continue
        kind, sep, count = line.rpartition(":")
        if not sep or not kind.strip():
            raise Unprocessable('Write one defect a line, like "stains: 14".', field="defects_by_kind")
        kinds[kind.strip()[:60]] = _count(count, "defects_by_kind")
    return kinds


def inspection_from_form(form: dict[str, str]) -> schemas.InspectionCreate:
    body: dict[str, Any] = {
        "units_inspected": _count(form.get("units_inspected", ""), "units_inspected"),
        "units_defective": _count(form.get("units_defective", ""), "units_defective"),
        "defects_by_kind": _defects_by_kind(form.get("defects_by_kind", "")),
        "sampling": form.get("sampling", "flat"),
        "observed_grade": form.get("observed_grade") or None,
        "notes": form.get("notes", ""),
    }
    return convert_form(body, schemas.InspectionCreate)


class InspectionPages(Controller):
    path = "/orders"
    include_in_schema = False
    guards = [requires_signed_in]

    async def _page(
        self,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        order_id: int,
        *,
        record: schemas.Inspection | None = None,
        form: dict[str, str] | None = None,
        error: DomainError | None = None,
    ) -> Template:
        order = await order_services.get_order_for(session, current_principal(request), order_id)
        context = {"order": order, "record": record, "form": form or {}, "error": error}
        return Template("disputes/inspection.html", context=context, status_code=error.status_code if error else 200)

    @get("/{order_id:int}/inspection")
    async def inspection_form(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, order_id: Id
    ) -> Template:
        return await self._page(request, db_session, order_id)

    @post("/{order_id:int}/inspection")
    async def inspect(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, order_id: Id, runtime: Runtime
    ) -> Template:
        form = await form_fields(request)
        try:
            data = inspection_from_form(form)
            record = await services.record_inspection(
                db_session, current_principal(request), order_id, data, runtime=runtime
            )
        except DomainError as error:
            await db_session.rollback()
            return await self._page(request, db_session, order_id, form=form, error=error)
        return await self._page(request, db_session, order_id, record=record)

    @get("/{order_id:int}/dispute")
    async def order_dispute(self, request: Request[Any, Any, Any], db_session: AsyncSession, order_id: Id) -> Redirect:
        dispute_id = await services.dispute_id_of_order(db_session, current_principal(request), order_id)
        if dispute_id is None:
            raise NotFound(Msg("Order {order} has no dispute.", order=order_id))
        return Redirect(f"/disputes/{dispute_id}", status_code=303)

    @post("/{order_id:int}/dispute")
    async def open_dispute(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, order_id: Id, runtime: Runtime
    ) -> Template | Redirect:
        form = await form_fields(request)
        try:
            reason = form.get("reason", "").strip()[:5000]
            if not reason:
                raise Unprocessable(N_("Say what is wrong with the goods."), field="reason")
            data = schemas.DisputeCreate(reason=reason, claimed_refund=form.get("claimed_refund") or None)
            dispute = await services.open_dispute(
                db_session, current_principal(request), order_id, data, runtime=runtime
            )
        except DomainError as error:
            await db_session.rollback()
            return await self._page(request, db_session, order_id, form=form, error=error)
        return Redirect(f"/disputes/{dispute.id}", status_code=303)


class DisputePages(Controller):
    path = "/disputes"
    include_in_schema = False
    guards = [requires_signed_in]

    async def _page(
        self, request: Request[Any, Any, Any], session: AsyncSession, dispute_id: int, error: DomainError | None = None
    ) -> Template:
        dispute, words = await services.dispute_page(session, current_principal(request), dispute_id)
        context = {"dispute": dispute, "words": words, "error": error, "viewer": current_principal(request)}
        return Template("disputes/dispute.html", context=context, status_code=error.status_code if error else 200)

    async def _act(
        self, request: Request[Any, Any, Any], session: AsyncSession, dispute_id: int, action: Any
    ) -> Template | Redirect:
        try:
            await action()
        except DomainError as error:
            await session.rollback()
            return await self._page(request, session, dispute_id, error)
        flash(request, N_("Saved."), category="success")
        return Redirect(f"/disputes/{dispute_id}", status_code=303)

    @get("/{dispute_id:int}")
    async def dispute(self, request: Request[Any, Any, Any], db_session: AsyncSession, dispute_id: Id) -> Template:
        return await self._page(request, db_session, dispute_id)

    @post("/{dispute_id:int}/answer")
    async def answer(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, dispute_id: Id, runtime: Runtime
    ) -> Template | Redirect:
        form = await form_fields(request)

        async def action() -> None:
            answer = form.get("answer", "")
            if answer not in ("accept", "offer", "reject"):
                raise Unprocessable(N_("Choose accept, offer or reject."), field="answer")
            data = schemas.DisputeAnswer(
                answer=answer,  # type: ignore[arg-type]
                message=form.get("message", "")[:5000],
                amount=form.get("amount") or None,
            )
            await services.answer_dispute(db_session, current_principal(request), dispute_id, data, runtime=runtime)

        return await self._act(request, db_session, dispute_id, action)

    @post("/{dispute_id:int}/accept-offer")
    async def accept_offer(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, dispute_id: Id, runtime: Runtime
    ) -> Template | Redirect:
        if not is_confirmed(request, await form_fields(request)):
            dispute = await services.get_dispute(db_session, current_principal(request), dispute_id)
            if "accept_offer" in dispute.allowed_actions and dispute.offer:
                context = {"step": dispute_offer_step(dispute), "currency": dispute.currency}
                return Template("confirm.html", context=context)

        async def action() -> None:
            await services.accept_offer(db_session, current_principal(request), dispute_id, runtime=runtime)

        return await self._act(request, db_session, dispute_id, action)

    @post("/{dispute_id:int}/escalate")
    async def escalate(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, dispute_id: Id, runtime: Runtime
    ) -> Template | Redirect:
        async def action() -> None:
            await services.escalate(db_session, current_principal(request), dispute_id, runtime=runtime)

        return await self._act(request, db_session, dispute_id, action)

    @post("/{dispute_id:int}/messages")
    async def message(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, dispute_id: Id, runtime: Runtime
    ) -> Template | Redirect:
        form = await form_fields(request)

        async def action() -> None:
            body = form.get("body", "").strip()
            if not body:
                raise Unprocessable(N_("Write a message."), field="body")
            data = schemas.MessageCreate(body=body[:5000])
            await services.add_message(db_session, current_principal(request), dispute_id, data, runtime=runtime)

        return await self._act(request, db_session, dispute_id, action)

    @post("/{dispute_id:int}/evidence")
    async def evidence(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, state: State, dispute_id: Id
    ) -> Template | Redirect:
        form = await request.form()
        upload = form.get("file")

        async def action() -> None:
            if not isinstance(upload, UploadFile):
                raise Unprocessable(N_("Choose a photo or PDF to upload."), field="file")
            dispute = await services.get_dispute(db_session, current_principal(request), dispute_id)
            await services.add_evidence(
                db_session,
                current_principal(request),
                dispute.order_id,
                filename=upload.filename,
                content=await upload.read(),
                data_dir=state.settings.data_dir,
            )

        return await self._act(request, db_session, dispute_id, action)

    @post("/{dispute_id:int}/decide", guards=[requires_admin])
    async def decide(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, dispute_id: Id, runtime: Runtime
    ) -> Template | Redirect:
        form = await form_fields(request)

        async def action() -> None:
            outcome = form.get("outcome", "")
            if outcome not in ("refund", "partial_refund", "release"):
                raise Unprocessable(N_("Choose refund, partial refund or release."), field="outcome")
            if not form.get("reason", "").strip():
                raise Unprocessable(N_("Give the reason both sides will read."), field="reason")
            data = schemas.Decision(
                outcome=outcome,  # type: ignore[arg-type]
                reason=form["reason"].strip()[:5000],
                amount=form.get("amount") or None,
            )
            await services.decide(db_session, current_principal(request), dispute_id, data, runtime=runtime)

        return await self._act(request, db_session, dispute_id, action)


class DisputeQueuePages(Controller):
    path = "/admin/disputes"
    include_in_schema = False
    guards = [requires_admin]

    @get("/")
    async def queue(self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime) -> Template:
        status = request.query_params.get("status", "escalated")
        if status not in QUEUE_FILTERS:
            status = "escalated"
        items = await services.dispute_queue(db_session, status=status, runtime=runtime)
        context = {"items": items, "status": status, "filters": QUEUE_FILTERS}
        return Template("disputes/queue.html", context=context)
