"""Order pages: the orders of each role with filters, and the order page with its timeline, deadlines and
the actions open to the viewer now (pay, ship, confirm or mark delivery, accept, evidence).

Every action is a plain form (POST, then 303 back to the order) that HTMX upgrades: with `HX-Request` the
answer is the page's main section, swapped in place. A refusal from the services (403, 409, 422) changes
nothing and shows its reason on the page, next to the form, with what was typed kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import QueryParameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.guards import current_principal, requires_signed_in
from exchange.disputes import services as dispute_services
from exchange.disputes.services._views import inspection_out
from exchange.disputes.services.evidence import EVIDENCE_RULE, evidence_of
from exchange.disputes.services.inspections import latest_inspection
from exchange.errors import DomainError, Unprocessable
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Money, Msg, When
from exchange.lots import services as lot_services
from exchange.orders import actions, listing, runner_up, schemas, services
from exchange.orders.checkout import pay_now
from exchange.params import Id
from exchange.runtime import Runtime
from exchange.settings import OrderSettings
from exchange.text import clean_text
from web import order_words as words
from web.confirm_orders import goods_step
from web.confirm_steps import is_confirmed
from web.form_errors import field_errors
from web.pages.forms import form_fields
from web.pages.rfq._forms import is_htmx, struct_from_form

__all__ = ["OrderPages", "mark_delivered_from_form", "shipment_from_form"]

Filter = Annotated[str | None, QueryParameter(max_length=40)]
SHIP_FIELDS = ("carrier", "tracking_number", "packages", "weight")
MAX_SHIPMENT_PHOTOS = 6
"""Photos the ship form takes in one post (each one a file of the order's evidence)."""


def shipment_from_form(form: dict[str, str]) -> schemas.ShipIn:
    for name, label in (("carrier", "The carrier"), ("tracking_number", "The tracking number"), ("weight", "Weight")):
        form[name] = clean_text(form.get(name, ""), field=name, label=label, required=name != "weight")
    return struct_from_form(form, schemas.ShipIn, SHIP_FIELDS)


def mark_delivered_from_form(form: dict[str, str]) -> schemas.MarkDeliveredIn:
    proof = clean_text(form.get("proof", ""), field="proof", label="The proof", required=True, multiline=True)
    return struct_from_form({"proof": proof}, schemas.MarkDeliveredIn, ("proof",))


class OrderPages(Controller):
    path = "/orders"
    include_in_schema = False
    guards = [requires_signed_in]

    @get("/")
    async def list_orders(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        runtime: Runtime,
        status: Filter = None,
        role: Filter = None,
        period: Filter = None,
    ) -> Template:
        principal = current_principal(request)
        filters = listing.OrderFilters.read(status, role, period)
        orders = await listing.list_orders(db_session, principal, filters, now=runtime.clock.now())
        context = {
            "orders": orders,
            "filters": filters,
            "is_admin": principal.is_admin,
            "states": words.STATUS_WORDS,
            "periods": words.PERIOD_WORDS,
            "sources": words.SOURCE_WORDS,
        }
        return Template("orders/list.html", context=context)

    async def _context(
        self,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        order_id: int,
        **extra: Any,
    ) -> dict[str, Any]:
        principal = current_principal(request)
        row, side = await services.load_for(session, principal, order_id)
        order = await services.order_view(session, row, side)
        parties = await listing.parties_of(session, order)
        inspection = await latest_inspection(session, row.id)
        reached = {entry.status for entry in order.timeline}
        windows: OrderSettings = request.app.state.settings.orders
        return {
            "order": order,
            "side": side,
            "parties": parties,
            "dispute_id": await dispute_services.dispute_id_of_order(session, principal, order_id),
            "inspection": inspection_out(inspection, row.currency, row.status) if inspection is not None else None,
            "evidence": await evidence_of(session, row),
            "runner_up_offers": await runner_up.offers_after(session, row)
            if side == "seller" and row.status == "cancelled"
            else [],
            "relist_way": await lot_services.relist_way_for(session, principal, row.lot_id)
            if side == "seller" and row.status == "cancelled"
            else None,
            "can_offer_runner_up": side == "seller"
            and row.status == "cancelled"
            and row.source in runner_up.RANKED_SOURCES,
            "terms": words.terms_in_words(order.terms, order.currency),
            "deal": words.deal_in_words(
                order,
                parties.goods,
                payment_window=windows.payment_window,
                inspection_window=windows.inspection_window,
            ),
            "records": words.linked_records(order.terms, side),
            "source_words": words.SOURCE_WORDS.get(order.source, order.source),
            "status_words": words.STATUS_WORDS,
            "action_words": words.ACTION_WORDS,
            "deadline_words": words.DEADLINE_WORDS,
            "next_step": words.next_step(order.status, side),
            "progress": words.progress(order.status, reached),
            "who": lambda by: words.actor_words(
                by, parties.buyer, parties.seller, order.buyer_org_id, order.seller_org_id
            ),
            "form": {},
            "errors": {},
            "error": None,
            "failed": None,
            "notice": None,
            **extra,
        }

    @get("/{order_id:int}")
    async def order(self, request: Request[Any, Any, Any], db_session: AsyncSession, order_id: Id) -> Template:
        return Template("orders/detail.html", context=await self._context(request, db_session, order_id))

    async def _act(
        self,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        order_id: int,
        action: str,
        form: dict[str, str],
        work: Callable[[], Awaitable[str]],
    ) -> Template | Redirect:
        """Run one action; answer the main section (HTMX) or a redirect, or the refusal with the input kept."""
        try:
            notice = await work()
        except DomainError as error:
            await session.rollback()
            context = await self._context(
                request,
                session,
                order_id,
                form=form,
                errors=field_errors(error),
                error=error,
                failed=action,
            )
            if is_htmx(request):
                return Template("orders/_main.html", context=context)
            return Template("orders/detail.html", context=context, status_code=error.status_code)
        if is_htmx(request):
            return Template("orders/_main.html", context=await self._context(request, session, order_id, notice=notice))
        flash(request, notice, category="success")
        return Redirect(f"/orders/{order_id}", status_code=303)

    @post("/{order_id:int}/pay")
    async def pay(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, order_id: Id
    ) -> Template | Redirect:
        async def work() -> str:
            paid = await pay_now(db_session, runtime, current_principal(request), order_id)
            money = Money(paid.started.amount, paid.started.currency)
            if paid.confirmed is None:
                return Msg(
                    "Payment {payment} of {money} is started: complete it with the provider.",
                    payment=paid.started.payment_id,
                    money=money,
                ).render()
            if paid.started.purpose == "invoice":
                return Msg("The invoice is paid: {money}.", money=money).render()
            return Msg("Paid: {money} is held in escrow until you accept the goods.", money=money).render()

        return await self._act(request, db_session, order_id, "pay", {}, work)

    @post("/{order_id:int}/ship", request_max_body_size=MAX_SHIPMENT_PHOTOS * EVIDENCE_RULE.max_bytes + 256 * 1024)
    async def ship(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, order_id: Id
    ) -> Template | Redirect:
        posted = await request.form()
        form = {key: value for key, value in posted.items() if isinstance(value, str)}
        photos = [f for f in posted.getall("photos", []) if isinstance(f, UploadFile) and f.filename]

        async def work() -> str:
            data = shipment_from_form(dict(form))
            if len(photos) > MAX_SHIPMENT_PHOTOS:
                raise Unprocessable(
                    Msg("Attach at most {count} photos to a shipment.", count=MAX_SHIPMENT_PHOTOS), field="photos"
                )
            principal = current_principal(request)
            for photo in photos:  # stored as the order's evidence, in the same transaction as the shipment
                added = await dispute_services.add_evidence(
                    db_session,
                    principal,
                    order_id,
                    filename=photo.filename,
                    content=await photo.read(),
                    data_dir=runtime.settings.data_dir,
                )
                data.photo_ids.append(added.id)
            await actions.ship(db_session, runtime, principal, order_id, data)
            if len(photos) == 1:
                return Msg(
                    "Shipment recorded ({carrier}, {tracking}, 1 photo); the buyer is told.",
                    carrier=data.carrier,
                    tracking=data.tracking_number,
                ).render()
            if photos:
                return Msg(
                    "Shipment recorded ({carrier}, {tracking}, {count} photos); the buyer is told.",
                    carrier=data.carrier,
                    tracking=data.tracking_number,
                    count=len(photos),
                ).render()
            return Msg(
                "Shipment recorded ({carrier}, {tracking}); the buyer is told.",
                carrier=data.carrier,
                tracking=data.tracking_number,
            ).render()

        return await self._act(request, db_session, order_id, "ship", form, work)

    @post("/{order_id:int}/deliver")
    async def deliver(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, order_id: Id
    ) -> Template | Redirect:
        async def work() -> str:
            await actions.deliver(db_session, runtime, current_principal(request), order_id)
            return N_("Delivery confirmed: the inspection window is open.")

        return await self._act(request, db_session, order_id, "deliver", {}, work)

    @post("/{order_id:int}/mark-delivered")
    async def mark_delivered(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, order_id: Id
    ) -> Template | Redirect:
        form = await form_fields(request)

        async def work() -> str:
            data = mark_delivered_from_form(form)
            await actions.mark_delivered(db_session, runtime, current_principal(request), order_id, data)
            return N_("Marked delivered; the buyer is told and its inspection window is open.")

        return await self._act(request, db_session, order_id, "mark_delivered", form, work)

    @post("/{order_id:int}/accept")
    async def accept(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, order_id: Id
    ) -> Template | Redirect:
        if not is_confirmed(request, await form_fields(request)):
            row, side = await services.load_for(db_session, current_principal(request), order_id)
            order = await services.order_view(db_session, row, side)
            if "accept" in order.allowed_actions:
                return Template("confirm.html", context={"step": goods_step(order), "currency": order.currency})

        async def work() -> str:
            await actions.accept(db_session, runtime, current_principal(request), order_id)
            return N_("Accepted: the order is settled and the seller paid.")

        return await self._act(request, db_session, order_id, "accept", {}, work)

    @post("/{order_id:int}/runner-up-offer")
    async def runner_up_offer(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, order_id: Id
    ) -> Template | Redirect:
        async def work() -> str:
            offer = await runner_up.offer_next(db_session, runtime, current_principal(request), order_id)
            return Msg(
                "The lot is offered to the next bidder at its own final bid of {price}, until {due}.",
                price=Money(offer.amount, offer.currency),
                due=When(offer.due_at),
            ).render()

        return await self._act(request, db_session, order_id, "runner_up_offer", {}, work)

    @get("/{order_id:int}/evidence/{evidence_id:int}")
    async def evidence_file(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, order_id: Id, evidence_id: Id
    ) -> Response[bytes]:
        """A file of the order's evidence, for its two orgs and admins (the page's twin of the API's download)."""
        evidence, content = await dispute_services.read_evidence(
            db_session, current_principal(request), order_id, evidence_id, data_dir=runtime.settings.data_dir
        )
        return Response(
            content=content,
            media_type=evidence.content_type,
            headers={
                "Content-Disposition": f"inline; filename*=UTF-8''{quote(evidence.filename)}",
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "default-src 'none'; sandbox",
                "Cache-Control": "private, max-age=300",
            },
        )

    @post("/{order_id:int}/evidence", request_max_body_size=EVIDENCE_RULE.max_bytes + 256 * 1024)
    async def evidence(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, order_id: Id
    ) -> Template | Redirect:
        upload = (await request.form()).get("file")

        async def work() -> str:
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise Unprocessable(
                    Msg(
                        "Choose a photo or PDF to upload ({types}, at most {count} MB).",
                        types=", ".join(sorted(t.split("/")[1].upper() for t in EVIDENCE_RULE.content_types)),
                        count=EVIDENCE_RULE.max_bytes // (1024 * 1024),
                    ),
                    field="file",
                )
            added = await dispute_services.add_evidence(
                db_session,
                current_principal(request),
                order_id,
                filename=upload.filename,
                content=await upload.read(),
                data_dir=runtime.settings.data_dir,
            )
            return Msg("{file} is added to the order's evidence.", file=added.filename).render()

        return await self._act(request, db_session, order_id, "evidence", {}, work)
