"""The admin review queue: lots a compliance rule held back, approved or sent back with a reason."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.guards import current_principal, requires_admin
from exchange.errors import DomainError
from exchange.i18n.messages import Msg, as_msg
from exchange.lots import services
from exchange.params import Id
from exchange.runtime import Runtime
from exchange.specs.catalog import get_catalog
from web.form_errors import plain_words
from web.pages.forms import form_fields

__all__ = ["ReviewPages"]


class ReviewPages(Controller):
    path = "/admin/reviews"
    include_in_schema = False
    guards = [requires_admin]

    @get("/")
    async def queue(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        lots = await services.lots_out(db_session, current_principal(request), await services.review_queue(db_session))
        return Template("lots/reviews.html", context={"lots": lots, "catalog": get_catalog()})

    @post("/{lot_id:int}/approve")
    async def approve(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id, runtime: Runtime
    ) -> Redirect:
        form = await form_fields(request)
        try:
            lot = await services.approve_lot(
                db_session, current_principal(request), lot_id, note=form.get("note", ""), runtime=runtime
            )
        except DomainError as error:
            flash(request, Msg("Not approved: {reason}", reason=as_msg(plain_words(error))).render(), category="error")
            return Redirect("/admin/reviews", status_code=303)
        flash(request, Msg("Approved: {title} is live.", title=lot.title).render(), category="success")
        return Redirect("/admin/reviews", status_code=303)

    @post("/{lot_id:int}/reject")
    async def reject(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id, runtime: Runtime
    ) -> Redirect:
        form = await form_fields(request)
        try:
            lot = await services.reject_lot(
                db_session,
                current_principal(request),
                lot_id,
                reason=form.get("reason", ""),
                runtime=runtime,
            )
        except DomainError as error:
            flash(request, Msg("Not rejected: {reason}", reason=as_msg(plain_words(error))).render(), category="error")
            return Redirect("/admin/reviews", status_code=303)
        flash(request, Msg("Sent back to the seller: {title}.", title=lot.title).render(), category="success")
        return Redirect("/admin/reviews", status_code=303)
