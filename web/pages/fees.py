"""Fee schedule pages (admins): every version by category, and the form that adds one.

The form posts with HTMX and gets the page's schedules section back (with the error next to its field);
without JavaScript it redirects back to the page, or shows the page again with the error (422).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.guards import current_principal, requires_admin
from exchange.errors import DomainError, Unprocessable
from exchange.fees import schemas, services
from exchange.fees.rules import PLATFORM_DEFAULT_CATEGORY
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg
from exchange.runtime import Runtime
from exchange.specs.catalog import get_catalog
from web.form_errors import FieldErrors, field_errors
from web.pages.forms import form_fields

__all__ = ["FeeSchedulePages", "schedule_from_form"]

TIER_ROWS = 4
_TIER_FIELD = re.compile(r"tiers\[(\d+)\]\.(up_to|percent)")


def _field_name(field: str | None) -> str:
    """The form input an API field belongs to: `tiers[1].percent` -> `tier_percent_1`."""
    if not field:
        return "_"
    if match := _TIER_FIELD.fullmatch(field):
        return f"tier_{match[2]}_{match[1]}"
    return field


def _effective_from(raw: str) -> datetime | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise Unprocessable(N_("Give the date and time like 2027-01-01T00:00 (UTC)."), field="effective_from") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def schedule_from_form(form: dict[str, str]) -> schemas.FeeScheduleIn:
    """The page's form as the API's body: filled tier rows in order (a row without `up_to` is the last)."""
    tiers: list[schemas.TierIn] = []
    for i in range(TIER_ROWS):
        up_to, percent = form.get(f"tier_up_to_{i}", "").strip(), form.get(f"tier_percent_{i}", "").strip()
        if not up_to and not percent:
            continue
        if not percent:
            raise Unprocessable(N_("Give this tier's percentage."), field=f"tiers[{len(tiers)}].percent")
        tiers.append(schemas.TierIn(percent=percent[:16], up_to=up_to[:32] or None))
    if not tiers:
        raise Unprocessable(N_("Give at least one tier's percentage."), field="tiers[0].percent")
    return schemas.FeeScheduleIn(
        category=form.get("category", "")[:80],
        tiers=tiers,
        fixed_fee=form.get("fixed_fee", "").strip()[:32] or "0",
        broker_percent=form.get("broker_percent", "").strip()[:16] or "0",
        effective_from=_effective_from(form.get("effective_from", "")),
    )


class FeeSchedulePages(Controller):
    path = "/admin/fee-schedules"
    include_in_schema = False
    guards = [requires_admin]

    async def _page(
        self,
        session: AsyncSession,
        runtime: Runtime,
        *,
        form: dict[str, str] | None = None,
        errors: FieldErrors | None = None,
        message: str | None = None,
        status_code: int = 200,
    ) -> Template:
        now = runtime.clock.now()
        categories = [(PLATFORM_DEFAULT_CATEGORY, services.category_label(PLATFORM_DEFAULT_CATEGORY))]
        categories += [(code, get_catalog().local_label_of(code)) for code in get_catalog().categories]
        context: dict[str, Any] = {
            "versions": await services.versions_out(session, now),
            "categories": categories,
            "form": form or {},
            "errors": errors or {},
            "message": message,
            "tier_rows": range(TIER_ROWS),
            "now": now,
        }
        return Template("admin/fee_schedules.html", context=context, status_code=status_code)

    @get("/")
    async def schedules(self, db_session: AsyncSession, runtime: Runtime) -> Template:
        return await self._page(db_session, runtime)

    @post("/")
    async def add(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime
    ) -> Template | Redirect:
        form = await form_fields(request)
        htmx = bool(request.headers.get("hx-request"))
        try:
            data = schedule_from_form(form)
            row = await services.create_from_input(
                db_session, data, at=runtime.clock.now(), created_by=current_principal(request).user_id
            )
        except DomainError as error:
            await db_session.rollback()
            errors = {_field_name(None if key == "_" else key): message for key, message in field_errors(error).items()}
            return await self._page(
                db_session, runtime, form=form, errors=errors, status_code=200 if htmx else error.status_code
            )
        message = Msg(
            "Version {version} of {category} is saved.",
            version=row.version,
            category=services.category_label(row.category),
        ).render()
        if htmx:
            return await self._page(db_session, runtime, message=message)
        flash(request, message, category="success")
        return Redirect("/admin/fee-schedules", status_code=303)
