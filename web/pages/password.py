"""Forgotten password pages: ask for a reset link by e-mail, then choose a new password with it."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import QueryParameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts import password_reset
from exchange.accounts.rules import MIN_PASSWORD_LENGTH
from exchange.errors import DomainError
from exchange.i18n.messages import Msg
from web.form_errors import field_errors
from web.pages.forms import form_fields

__all__ = ["PasswordPages"]


class PasswordPages(Controller):
    path = "/password"
    include_in_schema = False

    @get("/forgot")
    async def forgot_form(self) -> Template:
        return Template("accounts/forgot.html", context={"form": {}, "sent": None})

    @post("/forgot", opt={"rate_limited": True})
    async def forgot(self, request: Request[Any, Any, Any], db_session: AsyncSession, state: State) -> Template:
        form = await form_fields(request)
        email = form.get("email", "")[:254]
        sent = await password_reset.request_reset(db_session, email, public_url=state.settings.server.public_url)
        return Template("accounts/forgot.html", context={"form": {"email": email}, "sent": sent})

    @get("/reset")
    async def reset_form(self, token: Annotated[str, QueryParameter(max_length=200)] = "") -> Template:
        return Template(
            "accounts/reset.html", context={"token": token, "errors": {}, "min_password": MIN_PASSWORD_LENGTH}
        )

    @post("/reset", opt={"rate_limited": True})
    async def reset(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template | Redirect:
        form = await form_fields(request)
        token = form.get("token", "")[:200]
        try:
            await password_reset.reset_password(db_session, token, form.get("new_password", ""))
        except DomainError as error:
            return Template(
                "accounts/reset.html",
                status_code=error.status_code,
                context={
                    "token": token,
                    "errors": field_errors(error),
                    "min_password": MIN_PASSWORD_LENGTH,
                },
            )
        flash(
            request,
            Msg("Your password is changed: sign in with it. Every other session was signed out.").render(),
            "success",
        )
        return Redirect("/login", status_code=303)
