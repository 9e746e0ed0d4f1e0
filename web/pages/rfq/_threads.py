"""RFQ pages: the inbox, asking for a quote, and the thread page with its HTMX moves and live updates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.channels import ChannelsPlugin
from litestar.datastructures import UploadFile
from litestar.params import PathParameter, QueryParameter
from litestar.plugins.flash import flash
from litestar.response import File, Redirect, ServerSentEvent, Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.guards import current_principal, requires_org_kind, requires_signed_in, requires_verified_org
from exchange.errors import DomainError, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Money, Msg
from exchange.live.streams import event_stream
from exchange.lots.visibility import get_visible_lot
from exchange.money import format_minor
from exchange.params import Id
from exchange.rfq import schemas, services
from exchange.runtime import Runtime
from web.confirm_steps import is_confirmed
from web.form_errors import FieldErrors, field_errors, service_checks
from web.pages.forms import form_fields
from web.pages.rfq._context import PAYMENT_TERMS_LABELS, thread_context
from web.pages.rfq._forms import (
    MESSAGE_NAMES,
    OFFER_NAMES,
    accept_confirmation,
    is_htmx,
    offer_from_form,
    refused,
    refused_form,
    struct_from_form,
)

__all__ = ["RfqPages"]

OPEN_FIELDS = ("price", "delivery_by", "delivery_region", "payment_terms", "packaging", "message", "sample_units")
SAMPLE_DONE = {"priced": N_("Sample priced."), "ordered": N_("Sample ordered."), "shipped": N_("Sample shipped."),
               "declined": N_("Sample declined.")}  # fmt: skip
"""What the page says after a sample move, by the sample's new status."""
UPLOAD_LIMIT = services.MAX_FILE_BYTES + 256 * 1024


def _attachments_dir(request: Request[Any, Any, Any]) -> Path:
    return Path(request.app.state.settings.data_dir) / "rfq-attachments"


class RfqPages(Controller):
    include_in_schema = False
    guards = [requires_signed_in]

    @get("/rfqs")
    async def inbox(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        show: Annotated[Literal["open", "ended", "all"], QueryParameter(name="show")] = "open",
    ) -> Template:
        principal = current_principal(request)
        threads = await services.list_threads_for(db_session, principal, which=show)
        return Template("rfq/inbox.html", context={"threads": threads, "show": show, "labels": PAYMENT_TERMS_LABELS})

    @get("/rfqs/new", guards=[requires_org_kind("buyer")])
    async def new_form(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        lot_id: Annotated[int, QueryParameter(name="lot_id", gt=0, le=2_147_483_647)],
    ) -> Template | Redirect:
        principal = current_principal(request)
        lot = await get_visible_lot(db_session, principal, lot_id)
        existing = await services.list_threads_for(db_session, principal, which="open", lot_id=lot.id)
        if existing:
            flash(request, N_("You already have an open RFQ on this lot; here it is."), category="info")
            return Redirect(f"/rfqs/{existing[0].id}", status_code=303)
        return Template("rfq/new.html", context=self._new_context(lot, {}, {}))

    @post("/rfqs/new", guards=[requires_org_kind("buyer"), requires_verified_org])
    async def open_rfq(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime
    ) -> Template | Redirect:
        principal = current_principal(request)
        form = await form_fields(request)
        try:
            lot_id = int(form.get("lot_id", ""))
        except ValueError:
            raise Unprocessable(N_("Choose the lot to ask about."), field="lot_id") from None
        lot = await get_visible_lot(db_session, principal, lot_id)
        try:
            checks = service_checks(services.terms_problems, lot.currency, runtime.clock.now())
            data = struct_from_form(form, schemas.RfqOpen, OPEN_FIELDS, checks)
            thread = await services.open_rfq(db_session, principal, lot.id, data, runtime=runtime)
        except DomainError as error:
            await db_session.rollback()
            # The rollback expired the lot: read it again before the template touches it.
            lot = await get_visible_lot(db_session, principal, lot_id)
            return Template(
                "rfq/new.html",
                status_code=error.status_code,
                context=self._new_context(lot, form, field_errors(error)),
            )
        flash(request, N_("Your request for quotation is sent; the seller has been notified."), category="success")
        return Redirect(f"/rfqs/{thread.id}", status_code=303)

    @staticmethod
    def _new_context(lot: Any, form: dict[str, str], errors: FieldErrors) -> dict[str, Any]:
        return {
            "lot": lot,
            "quantity": f"{lot.quantity_value.normalize():f}",
            "fixed_price": format_minor(lot.price_minor, lot.currency) if lot.sale_mode == "fixed_price" else None,
            "form": form,
            "errors": errors,
            "labels": PAYMENT_TERMS_LABELS,
        }

    @get("/rfqs/{thread_id:int}")
    async def thread_page(self, request: Request[Any, Any, Any], db_session: AsyncSession, thread_id: Id) -> Template:
        context = await thread_context(db_session, current_principal(request), thread_id)
        return Template("rfq/thread.html", context=context)

    @get("/rfqs/{thread_id:int}/state")
    async def thread_state(self, request: Request[Any, Any, Any], db_session: AsyncSession, thread_id: Id) -> Template:
        """The live part of the thread page, re-fetched on every thread event."""
        context = await thread_context(db_session, current_principal(request), thread_id)
        return Template("rfq/_state.html", context={**context, "fragment": True})

    @get("/events/rfqs/{thread_id:int}")
    async def thread_events(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, channels: ChannelsPlugin, thread_id: Id
    ) -> ServerSentEvent:
        """Events of one thread, for its two parties (and admins) only; they carry no content."""
        await services.get_thread_for(db_session, current_principal(request), thread_id)
        return event_stream(channels, [services.thread_channel(thread_id)])

    async def _answer(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, thread_id: int, done: str
    ) -> Template | Redirect:
        if is_htmx(request):
            context = await thread_context(db_session, current_principal(request), thread_id)
            return Template("rfq/_state.html", context={**context, "notice": done, "fragment": True})
        flash(request, done, category="success")
        return Redirect(f"/rfqs/{thread_id}", status_code=303)

    @post("/rfqs/{thread_id:int}/offers", guards=[requires_verified_org])
    async def make_offer(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, thread_id: Id, runtime: Runtime
    ) -> Template | Redirect:
        form = await form_fields(request)
        principal, now = current_principal(request), runtime.clock.now()
        try:
            thread = await services.get_thread_for(db_session, principal, thread_id)
            data = offer_from_form(form, thread.currency, now)
            offer = await services.make_offer(db_session, principal, thread_id, data, runtime=runtime)
        except DomainError as error:
            return await refused_form(request, db_session, thread_id, "offer", form, error, OFFER_NAMES)
        return await self._answer(
            request,
            db_session,
            thread_id,
            Msg(
                "Your offer of {price} is sent.",
                price=Money(format_minor(offer.price_minor, offer.currency), offer.currency),
            ).render(),
        )

    @post("/rfqs/{thread_id:int}/accept", guards=[requires_verified_org])
    async def accept(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, thread_id: Id, runtime: Runtime
    ) -> Template | Redirect:
        form = await form_fields(request)
        try:
            if not is_confirmed(request, form):
                page = await accept_confirmation(
                    db_session,
                    current_principal(request),
                    thread_id,
                    form,
                    action=f"/rfqs/{thread_id}/accept",
                    back=f"/rfqs/{thread_id}",
                )
                if page is not None:
                    return page
            data = struct_from_form(form, schemas.AcceptIn, ("offer_id",))
            order = await services.accept_offer_once(
                db_session,
                current_principal(request),
                thread_id,
                data.offer_id,
                idempotency_key=form.get("idempotency_key") or None,
                runtime=runtime,
            )
        except DomainError as error:
            return await refused(request, db_session, error, f"/rfqs/{thread_id}")
        done = Msg(
            "Accepted. Order #{order} for {amount} is awaiting payment.",
            order=order.id,
            amount=Money(order.amount, order.currency),
        ).render()
        return await self._answer(request, db_session, thread_id, done)

    @post("/rfqs/{thread_id:int}/decline", guards=[requires_verified_org])
    async def decline(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, thread_id: Id, runtime: Runtime
    ) -> Template | Redirect:
        form = await form_fields(request)
        try:
            await services.decline_thread(
                db_session,
                current_principal(request),
                thread_id,
                reason=form.get("reason", "")[:1000],
                runtime=runtime,
            )
        except DomainError as error:
            return await refused(request, db_session, error, f"/rfqs/{thread_id}")
        return await self._answer(request, db_session, thread_id, N_("You ended this negotiation."))

    @post("/rfqs/{thread_id:int}/withdraw", guards=[requires_verified_org])
    async def withdraw(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, thread_id: Id, runtime: Runtime
    ) -> Template | Redirect:
        try:
            await services.withdraw_offer(db_session, current_principal(request), thread_id, runtime=runtime)
        except DomainError as error:
            return await refused(request, db_session, error, f"/rfqs/{thread_id}")
        return await self._answer(request, db_session, thread_id, N_("Your offer is withdrawn."))

    @post("/rfqs/{thread_id:int}/messages", guards=[requires_verified_org], request_max_body_size=UPLOAD_LIMIT)
    async def post_message(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, thread_id: Id, runtime: Runtime
    ) -> Template | Redirect:
        form = await request.form()
        body = str(form.get("body") or "")
        link_url = str(form.get("link_url") or "").strip()
        link_name = str(form.get("link_name") or "")[:200]
        upload = form.get("file")
        try:
            links = [schemas.LinkIn(url=link_url, name=link_name)] if link_url else []
            files = []
            if isinstance(upload, UploadFile) and upload.filename:
                files.append(services.IncomingFile(filename=upload.filename, data=await upload.read()))
            await services.post_message(
                db_session,
                current_principal(request),
                thread_id,
                body=body,
                links=links,
                files=files,
                storage_dir=_attachments_dir(request),
                runtime=runtime,
            )
        except DomainError as error:
            kept = {"body": body, "link_url": link_url, "link_name": link_name}
            return await refused_form(request, db_session, thread_id, "message", kept, error, MESSAGE_NAMES)
        return await self._answer(request, db_session, thread_id, N_("Message sent."))

    @get("/rfqs/{thread_id:int}/attachments/{attachment_id:int}")
    async def attachment(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, thread_id: Id, attachment_id: Id
    ) -> File:
        path, content_type, name = await services.open_attachment(
            db_session, current_principal(request), thread_id, attachment_id, storage_dir=_attachments_dir(request)
        )
        return File(path=path, filename=name, media_type=content_type, content_disposition_type="attachment")

    @post("/rfqs/{thread_id:int}/samples", guards=[requires_verified_org])
    async def request_sample(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, thread_id: Id, runtime: Runtime
    ) -> Template | Redirect:
        form = await form_fields(request)
        try:
            data = struct_from_form(form, schemas.SampleCreate, ("units", "note"))
            await services.request_sample(db_session, current_principal(request), thread_id, data, runtime=runtime)
        except DomainError as error:
            return await refused_form(request, db_session, thread_id, "sample", form, error)
        return await self._answer(request, db_session, thread_id, N_("Sample requested; the seller will name a price."))

    @post("/rfqs/{thread_id:int}/samples/{sample_id:int}/{move:str}", guards=[requires_verified_org])
    async def move_sample(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        thread_id: Id,
        sample_id: Id,
        move: Annotated[Literal["price", "confirm", "ship", "decline"], PathParameter()],
        runtime: Runtime,
    ) -> Template | Redirect:
        form = await form_fields(request)
        try:
            sample = await services.move_sample(
                db_session,
                current_principal(request),
                thread_id,
                sample_id,
                move,
                unit_price=form.get("unit_price") or None,
                runtime=runtime,
            )
        except DomainError as error:
            if move == "price" and error.field:  # the price under its input; a move out of turn as before
                kept = {"unit_price": form.get("unit_price", "")[:40], "sample_id": str(sample_id)}
                return await refused_form(request, db_session, thread_id, "sample_price", kept, error)
            return await refused(request, db_session, error, f"/rfqs/{thread_id}")
        return await self._answer(request, db_session, thread_id, SAMPLE_DONE.get(sample.status, N_("Sample updated.")))
