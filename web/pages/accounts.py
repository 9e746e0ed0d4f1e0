"""Sign-up, sign-in and sign-out pages."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import QueryParameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts import services, verification
from exchange.accounts.auth import session_for
from exchange.accounts.rules import MIN_PASSWORD_LENGTH
from exchange.accounts.schemas import RegisterIn
from exchange.accounts.sessions import rotate_session
from exchange.accounts.verification import LICENCE_RULE
from exchange.errors import DomainError, Problems
from exchange.i18n.catalog import N_
from exchange.i18n.locales import current_time_zone, set_current
from exchange.i18n.messages import Msg
from web.form_errors import FieldErrors, FormRefused, convert_form, field_errors, plain_words
from web.pages.forms import form_and_file, form_fields, safe_next, upload_problem
from web.pages.language import choice_cookies

__all__ = ["AccountPages"]


def _sign_in(request: Request[Any, Any, Any], user_id: int, token_epoch: int) -> None:
    rotate_session(request)
    request.set_session(session_for(user_id, token_epoch))


async def _registration(form: dict[str, str]) -> RegisterIn:
    """The sign-up form as a `RegisterIn`; when some fields do not convert, the service's checks of the others
    answer with them (a short password shows with a missing name)."""
    body = services.register_form_body(form)
    try:
        return convert_form(body, RegisterIn)
    except FormRefused as refused:
        found, given = Problems(), refused.converted
        await services.registration_problems(
            found,
            email=given.get("email"),
            password=given.get("password"),
            name=given.get("name"),
            org_name=None if "org.name" in refused.errors else form.get("org_name", ""),
        )
        raise refused.with_problems(found.found) from None


class AccountPages(Controller):
    include_in_schema = False

    @get("/register")
    async def register_form(self) -> Template:
        return Template(
            "accounts/register.html", context={"form": {}, "errors": {}, "min_password": MIN_PASSWORD_LENGTH}
        )

    @post("/register", opt={"rate_limited": True}, request_max_body_size=LICENCE_RULE.max_bytes + 256 * 1024)
    async def register(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, state: State
    ) -> Template | Redirect:
        form, licence = await form_and_file(request, "licence")
        # The page asks for the verification details and the licence (the API takes them later too).
        errors: FieldErrors = dict(verification.detail_problems(form, prefix="org.")[1])
        if licence is None:
            errors["licence"] = N_("Upload your business licence (a PDF or a scan).")
        else:
            errors.update(upload_problem(licence, verification.LICENCE_RULE, "licence"))
        try:
            data = await _registration(form)
            if errors:
                await services.check_registration(data)
            else:
                _, org = await services.register(db_session, data, licence=licence, data_dir=state.settings.data_dir)
        except DomainError as error:
            errors = {**field_errors(error), **errors}
        if errors:
            form.pop("password", None)
            return Template(
                "accounts/register.html",
                status_code=422,
                context={"form": form, "errors": errors, "min_password": MIN_PASSWORD_LENGTH},
            )
        # Not signed in here: an address that already had an account gets this same answer (its owner
        # gets an e-mail), so the page must not tell a new account from an old one.
        flash(
            request,
            Msg(
                "{org} is registered: sign in with your email and password. "
                "An administrator verifies new organisations before they can trade.",
                org=org.name,
            ).render(),
            category="success",
        )
        return Redirect("/login?next=/dashboard", status_code=303)

    @get("/login")
    async def login_form(self, next_: Annotated[str | None, QueryParameter(name="next")] = None) -> Template:
        return Template("accounts/login.html", context={"form": {}, "error": None, "next": safe_next(next_)})

    @post("/login", opt={"rate_limited": True})
    async def login(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template | Redirect:
        form = await form_fields(request)
        target = safe_next(form.get("next"))
        try:
            user = await services.authenticate(db_session, form.get("email", ""), form.get("password", ""))
        except DomainError as error:
            return Template(
                "accounts/login.html",
                status_code=error.status_code,
                context={"form": {"email": form.get("email", "")}, "error": plain_words(error), "next": target},
            )
        _sign_in(request, user.id, user.token_epoch)
        # The language chosen on another browser comes back with the sign-in.
        if user.locale:
            set_current(user.locale, user.time_zone or str(current_time_zone()))
        flash(request, Msg("Signed in as {email}.", email=user.email).render(), category="success")
        return Redirect(target, status_code=303, cookies=choice_cookies(user.locale, user.time_zone))

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        # A new session id that holds only the message: the signed-in one is deleted from the store.
        rotate_session(request)
        request.set_session({})
        flash(request, N_("You are signed out."), category="info")
        return Redirect("/", status_code=303)
