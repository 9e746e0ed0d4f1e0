"""Admin pages: organisations, their verification details and licence, verifying or rejecting them."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts import services, verification
from exchange.accounts.guards import requires_admin
from exchange.accounts.verification_api import licence_response
from exchange.errors import DomainError
from exchange.i18n.messages import Msg, localized
from exchange.params import Id
from web.form_errors import FieldErrors, field_errors, plain_words
from web.pages.forms import form_fields

__all__ = ["AdminPages"]


def _org_page(org: Any, form: dict[str, str], errors: FieldErrors, status_code: int = 200) -> Template:
    return Template(
        "admin/org.html",
        status_code=status_code,
        context={"org": org, "status": verification.verification_out(org), "form": form, "errors": errors},
    )


class AdminPages(Controller):
    path = "/admin"
    include_in_schema = False
    guards = [requires_admin]

    @get("/orgs")
    async def orgs(self, db_session: AsyncSession) -> Template:
        orgs = await services.list_orgs(db_session)
        statuses = {org.id: verification.verification_out(org) for org in orgs}
        return Template("admin/orgs.html", context={"orgs": orgs, "statuses": statuses})

    @get("/orgs/{org_id:int}")
    async def org(self, org_id: Id, db_session: AsyncSession) -> Template:
        return _org_page(await verification.verification_of(db_session, org_id), {}, {})

    @get("/orgs/{org_id:int}/licence")
    async def licence(self, org_id: Id, db_session: AsyncSession, state: State) -> Response[bytes]:
        org, content = await verification.licence_of(db_session, org_id, state.settings.data_dir)
        return licence_response(org.licence_filename or "licence", org.licence_content_type or "", content)

    @post("/orgs/{org_id:int}/verify")
    async def verify(self, request: Request[Any, Any, Any], org_id: Id, db_session: AsyncSession) -> Redirect:
        try:
            org = await services.verify_org(db_session, org_id)
        except DomainError as error:
            if error.status_code != 409:
                raise
            flash(request, localized(plain_words(error)), category="error")
            return Redirect(f"/admin/orgs/{org_id}", status_code=303)
        flash(request, Msg("{org} is verified.", org=org.name).render(), category="success")
        return Redirect("/admin/orgs", status_code=303)

    @post("/orgs/{org_id:int}/reject")
    async def reject(
        self, request: Request[Any, Any, Any], org_id: Id, db_session: AsyncSession
    ) -> Template | Redirect:
        form = await form_fields(request)
        try:
            org = await verification.reject_org(db_session, org_id, form.get("reason", ""))
        except DomainError as error:
            if error.status_code == 404:
                raise
            org = await verification.verification_of(db_session, org_id)
            return _org_page(org, form, field_errors(error), status_code=error.status_code)
        flash(request, Msg("{org} is told why it is not verified yet.", org=org.name).render(), category="success")
        return Redirect("/admin/orgs", status_code=303)
