"""The verification page of an organisation: its details and licence, the admin's answer, corrections."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts import verification
from exchange.accounts.guards import current_principal, requires_signed_in
from exchange.accounts.models import Org
from exchange.errors import DomainError
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg, localized
from web.form_errors import FieldErrors, plain_words
from web.pages.forms import form_and_file, upload_problem

__all__ = ["VerificationPages"]


def _page(org: Org, form: dict[str, str], errors: FieldErrors, status_code: int = 200) -> Template:
    return Template(
        "accounts/verification.html",
        status_code=status_code,
        context={"org": org, "status": verification.verification_out(org), "form": form, "errors": errors},
    )


def _current(org: Org) -> dict[str, str]:
    return {field: getattr(org, field) or "" for field in verification.FIELDS}


class VerificationPages(Controller):
    path = "/verification"
    include_in_schema = False
    guards = [requires_signed_in]

    @get("/")
    async def show(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        org = await verification.own_org(db_session, current_principal(request))
        return _page(org, _current(org), {})

    @post("/", request_max_body_size=verification.LICENCE_RULE.max_bytes + 256 * 1024)
    async def submit(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, state: State
    ) -> Template | Redirect:
        principal = current_principal(request)
        org = await verification.own_org(db_session, principal)
        form, licence = await form_and_file(request, "licence")
        details, problems = verification.detail_problems(form)
        errors: FieldErrors = dict(problems)
        if licence is not None:
            errors.update(upload_problem(licence, verification.LICENCE_RULE, "licence"))
        elif not org.licence_key:
            errors["licence"] = N_("Upload your business licence (a PDF or a scan).")
        if details is None or errors:
            return _page(org, form, errors, status_code=422)
        try:
            await verification.submit_details(db_session, principal, details)
            if licence is not None:
                await verification.store_licence(db_session, org, licence[0], licence[1], state.settings.data_dir)
        except DomainError as error:
            if error.status_code != 409:
                raise
            flash(request, localized(plain_words(error)), category="error")
            return Redirect("/verification", status_code=303)
        flash(request, Msg("Thank you: an administrator will look at your details again.").render(), category="success")
        return Redirect("/verification", status_code=303)
