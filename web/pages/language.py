"""The language switcher: a form on every page (no JavaScript needed) that remembers the choice."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.datastructures import Cookie
from litestar.response import Redirect
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.models import User
from exchange.i18n.locales import current_locale, current_time_zone, normalize_locale, normalize_time_zone
from web.i18n import LANG_COOKIE, TZ_COOKIE
from web.pages.forms import form_fields, safe_next

__all__ = ["LanguagePages", "choice_cookies"]

ONE_YEAR = 365 * 24 * 3600


def choice_cookies(locale: str | None, time_zone: str | None) -> list[Cookie]:
    """The cookies that remember a language (and time zone) choice in this browser."""
    cookies = []
    if locale:
        cookies.append(Cookie(key=LANG_COOKIE, value=locale, max_age=ONE_YEAR, samesite="lax", path="/"))
    if time_zone:
        cookies.append(Cookie(key=TZ_COOKIE, value=time_zone, max_age=ONE_YEAR, samesite="lax", path="/"))
    return cookies


class LanguagePages(Controller):
    include_in_schema = False

    @post("/language")
    async def choose(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Redirect:
        """The switcher: remembers the language (and time zone) in cookies and, signed in, on the user."""
        form = await form_fields(request)
        locale = normalize_locale(form.get("locale")) or current_locale()
        time_zone = normalize_time_zone(form.get("time_zone")) or str(current_time_zone())
        principal = request.scope.get("user")
        if principal is not None:
            await db_session.execute(
                update(User).where(User.id == principal.user_id).values(locale=locale, time_zone=time_zone)
            )
        return Redirect(
            safe_next(form.get("next"), default="/"), status_code=303, cookies=choice_cookies(locale, time_zone)
        )
