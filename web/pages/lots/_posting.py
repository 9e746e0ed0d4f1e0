"""A seller's pages for a lot: post, edit the draft, attach files, publish, withdraw, relist."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State, UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts import directory
from exchange.accounts.guards import current_principal, requires_org_kind
from exchange.accounts.principal import Principal
from exchange.errors import DomainError, Unprocessable, from_msgspec_error
from exchange.i18n.catalog import N_
from exchange.i18n.formatting import duration_text
from exchange.i18n.messages import Msg, as_msg
from exchange.lots import rules, schemas, services
from exchange.params import Id
from exchange.runtime import Runtime
from web.category_picker import category_choices
from web.form_errors import FieldErrors, plain_words
from web.pages.lots._forms import closes_at_from_form, form_errors, form_from_lot, invited_ids, lot_body_from_form

__all__ = ["LotPostingPages"]

SOURCES = {"overrun": N_("Production overrun"), "season_end": N_("Season end"), "slow_moving": N_("Slow-moving stock"),
           "returns": N_("Returns"), "other": N_("Other")}  # fmt: skip
KIND_LABELS = {"photo": N_("Photo"), "quality_report": N_("Quality report"), "certificate": N_("Certificate"),
               "brand_authorisation": N_("Brand authorisation"),
               "safety_data_sheet": N_("Safety data sheet")}  # fmt: skip


async def _relist_body(
    session: AsyncSession, principal: Principal, lot_id: int, form: dict[str, Any]
) -> schemas.RelistLot | None:
    """The relist form of a sealed-bid lot whose buyer did not pay: the new lot's sale (the old terms, with the mode,
    closing time or price the seller chose) and whether to keep it a draft. None for the plain relist button."""
    mode = str(form.get("sale_mode") or "")
    if not mode:
        return None
    old = (await services.get_lot(session, principal, lot_id)).sale
    if mode == "fixed_price":
        sale: dict[str, Any] = {"mode": mode, "price": str(form.get("price") or "") or None}
    elif mode == "sealed_bid":
        closes_at = closes_at_from_form(str(form.get("closes_at") or ""), str(form.get("tz_offset") or "0"))
        reserve = old.reserve_price if isinstance(old.reserve_price, str) else None
        sale = {"mode": mode, "reserve_price": reserve, "min_bid": old.min_bid, "second_price": old.second_price,
                "deposit_percent": old.deposit_percent, "closes_at": closes_at}  # fmt: skip
    else:
        raise Unprocessable(N_("Choose sealed bid or fixed price."), field="sale.mode")
    sale["rfq_enabled"] = old.rfq_enabled
    try:
        return msgspec.convert({"sale": sale, "draft": form.get("draft") == "1"}, schemas.RelistLot)
    except msgspec.ValidationError as error:
        raise from_msgspec_error(error) from None


def _form_context(
    request: Request[Any, Any, Any],
    form: dict[str, str],
    errors: FieldErrors,
    *,
    lot_id: int | None = None,
    picker: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the stepped lot form shows; the rules it states come from `rules` and the operator's settings."""
    min_bidding: timedelta = request.app.state.settings.min_bidding_window
    return {
        **category_choices(form),
        "invitees": [],
        "invite_results": [],
        "invite_query": "",
        **(picker or {}),
        "form": form,
        "errors": errors,
        "lot_id": lot_id,
        "sources": SOURCES,
        "listing_days": range(rules.LISTING_DAYS_RANGE[0], rules.LISTING_DAYS_RANGE[1] + 1),
        "listing_days_range": rules.LISTING_DAYS_RANGE,
        "min_bidding": duration_text(min_bidding),
        "max_upload_mb": services.MAX_UPLOAD_BYTES // (1024 * 1024),
    }


async def _read_form(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The lot form's fields; the ticked invitation boxes (one `invited_org_ids` each) joined by commas."""
    raw = await request.form()
    form = {key: value for key, value in raw.items() if isinstance(value, str)}
    form["invited_org_ids"] = ",".join(v for v in raw.getall("invited_org_ids", []) if isinstance(v, str))
    return form


async def _picker(session: AsyncSession, form: dict[str, str], *, search: bool) -> dict[str, Any]:
    """The invitation picker's state: the ticked organisations by name, and the search's matches."""
    try:
        ticked = invited_ids(form.get("invited_org_ids", ""))
    except DomainError:
        ticked = []
    query = " ".join(form.get("invite_q", "").split())[:120] if search else ""
    return {
        "invitees": await directory.org_names(session, ticked),
        "invite_results": await directory.buyer_orgs_named(session, query) if query else [],
        "invite_query": query,
    }


async def _form_error(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    form: dict[str, str],
    error: DomainError,
    lot_id: int | None = None,
) -> Template:
    return Template(
        "lots/form.html",
        context=_form_context(
            request,
            form,
            form_errors(error),
            lot_id=lot_id,
            picker=await _picker(session, form, search=False),
        ),
        status_code=error.status_code,
    )


class LotPostingPages(Controller):
    path = "/lots"
    include_in_schema = False
    guards = [requires_org_kind("seller")]

    @get("/new")
    async def new_form(self, request: Request[Any, Any, Any]) -> Template:
        form = {"sale_mode": "fixed_price", "grade": "A", "listing_days": "14", "rfq_enabled": "on", "currency": "CNY",
                "country": "CN", "visibility": "public"}  # fmt: skip
        return Template("lots/form.html", context=_form_context(request, form, {}))

    @get("/new/spec-fields")
    async def spec_fields(
        self, request: Request[Any, Any, Any], category: Annotated[str, QueryParameter(name="category")] = ""
    ) -> Template:
        """The spec inputs of a category (an HTMX partial for the post form)."""
        return Template("lots/_spec_fields.html", context=_form_context(request, {"category": category}, {}))

    @get("/invite-picker")
    async def invite_picker(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        """The picker's choices for what was typed (an HTMX partial of the post and edit forms)."""
        query = request.query_params
        form = {
            "invite_q": query.get("invite_q") or "",
            "invited_org_ids": ",".join(query.getall("invited_org_ids", [])),
        }
        return Template("lots/_invite_options.html", context=await _picker(db_session, form, search=True))

    @post("/new")
    async def create(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template | Redirect:
        form = await _read_form(request)
        if form.get("refresh"):  # the category or the invitation search changed in a browser without JavaScript
            picker = await _picker(db_session, form, search=form["refresh"] == "invite")
            return Template("lots/form.html", context=_form_context(request, form, {}, picker=picker))
        try:
            lot = await services.create_lot(db_session, current_principal(request), lot_body_from_form(form))
        except DomainError as error:
            return await _form_error(request, db_session, form, error)
        flash(request, N_("Draft saved. Add photos and documents, then publish it."), category="success")
        return Redirect(f"/lots/{lot.id}", status_code=303)

    @get("/{lot_id:int}/edit")
    async def edit_form(self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id) -> Template:
        lot = await services.get_lot(db_session, current_principal(request), lot_id)
        form = form_from_lot(lot)
        picker = await _picker(db_session, form, search=False)
        return Template("lots/form.html", context=_form_context(request, form, {}, lot_id=lot_id, picker=picker))

    @post("/{lot_id:int}/edit")
    async def edit(self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id) -> Template | Redirect:
        form = await _read_form(request)
        if form.get("refresh"):
            picker = await _picker(db_session, form, search=form["refresh"] == "invite")
            return Template("lots/form.html", context=_form_context(request, form, {}, lot_id=lot_id, picker=picker))
        try:
            body = lot_body_from_form(form)
            changes = msgspec.convert(msgspec.to_builtins(body), schemas.LotUpdate)
            await services.update_lot(db_session, current_principal(request), lot_id, changes)
        except DomainError as error:
            return await _form_error(request, db_session, form, error, lot_id)
        flash(request, N_("Draft updated."), category="success")
        return Redirect(f"/lots/{lot_id}", status_code=303)

    @post("/{lot_id:int}/publish")
    async def publish(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id, runtime: Runtime
    ) -> Redirect:
        try:
            lot = await services.publish_lot(db_session, current_principal(request), lot_id, runtime=runtime)
        except DomainError as error:
            if error.status_code == 404:
                raise
            flash(request, Msg("Not published: {reason}", reason=as_msg(plain_words(error))).render(), category="error")
            return Redirect(f"/lots/{lot_id}", status_code=303)
        if lot.status == "in_review":
            flash(
                request,
                Msg("Sent for review before it goes live: {reason}", reason=as_msg(lot.review_reason)).render(),
                category="warning",
            )
        else:
            flash(request, N_("Published: the lot is live."), category="success")
        return Redirect(f"/lots/{lot_id}", status_code=303)

    @post("/{lot_id:int}/withdraw")
    async def withdraw(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id, runtime: Runtime
    ) -> Redirect:
        try:
            await services.withdraw_lot(db_session, current_principal(request), lot_id, runtime=runtime)
        except DomainError as error:
            if error.status_code == 404:
                raise
            flash(request, Msg("Not withdrawn: {reason}", reason=as_msg(plain_words(error))).render(), category="error")
            return Redirect(f"/lots/{lot_id}", status_code=303)
        flash(request, N_("The lot is withdrawn."), category="success")
        return Redirect("/seller/lots", status_code=303)

    @post("/{lot_id:int}/relist")
    async def relist(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        lot_id: Id,
        runtime: Runtime,
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        principal = current_principal(request)
        try:
            body = await _relist_body(db_session, principal, lot_id, data)
            lot = await services.relist_lot(db_session, principal, lot_id, body, runtime=runtime)
        except DomainError as error:
            if error.status_code == 404:
                raise
            flash(request, Msg("Not relisted: {reason}", reason=as_msg(plain_words(error))).render(), category="error")
            return Redirect(f"/lots/{lot_id}", status_code=303)
        if lot.status == "in_review":
            flash(
                request,
                Msg("Sent for review before it goes live again: {reason}", reason=as_msg(lot.review_reason)).render(),
                category="warning",
            )
        elif lot.id != lot_id:
            relisted = (
                Msg("Relisted as lot {lot}: a draft to finish and publish.", lot=lot.id)
                if lot.status == "draft"
                else Msg("Relisted as lot {lot}: it is on sale.", lot=lot.id)
            )
            flash(request, relisted.render(), category="success")
        else:
            flash(request, N_("Relisted: the lot is live for a new listing window."), category="success")
        return Redirect(f"/lots/{lot.id}", status_code=303)

    @post("/{lot_id:int}/files", request_max_body_size=services.MAX_UPLOAD_BYTES + 256 * 1024)
    async def upload(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        state: State,
        lot_id: Id,
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Redirect:
        upload = data.get("file")
        kind = data.get("kind")
        try:
            if not isinstance(upload, UploadFile) or not isinstance(kind, str):
                raise Unprocessable(N_("Choose a file and what kind of document it is."), field="file")
            await services.add_document(
                db_session,
                current_principal(request),
                lot_id,
                kind=kind,
                filename=upload.filename,
                content=await upload.read(),
                data_dir=state.settings.data_dir,
            )
        except DomainError as error:
            if error.status_code == 404:
                raise
            flash(request, Msg("Not attached: {reason}", reason=as_msg(plain_words(error))).render(), category="error")
            return Redirect(f"/lots/{lot_id}", status_code=303)
        flash(request, Msg("{kind} attached.", kind=as_msg(KIND_LABELS.get(kind, kind))).render(), category="success")
        return Redirect(f"/lots/{lot_id}", status_code=303)

    @post("/{lot_id:int}/files/{document_id:int}/delete")
    async def remove_file(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, state: State, lot_id: Id, document_id: Id
    ) -> Redirect:
        await services.remove_document(
            db_session, current_principal(request), lot_id, document_id, data_dir=state.settings.data_dir
        )
        flash(request, N_("File removed."), category="success")
        return Redirect(f"/lots/{lot_id}", status_code=303)
