"""HTML forms to the API's Structs, and the answers a page action gives (fragment for HTMX, redirect otherwise)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

from litestar import Request
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.guards import current_principal
from exchange.accounts.principal import Principal
from exchange.errors import DomainError
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Msg, localized
from exchange.money import format_minor
from exchange.rfq import schemas, services
from web.confirm_steps import accept_step
from web.form_errors import Checks, FieldErrors, convert_form, field_errors, plain_words, service_checks
from web.pages.rfq._context import thread_context

__all__ = [
    "MESSAGE_NAMES",
    "OFFER_NAMES",
    "accept_confirmation",
    "is_htmx",
    "offer_from_form",
    "refused",
    "refused_form",
    "struct_from_form",
]

T = TypeVar("T")

OFFER_FIELDS = ("price", "valid_until", "delivery_by", "payment_terms", "packaging", "message")
OFFER_NAMES = {"valid_until": "valid_for_hours"}
"""API fields to the offer form's inputs, where they differ (a problem goes under the input it came from)."""
MESSAGE_NAMES = {"links[0].url": "link_url", "links[0].name": "link_url"}
"""The message form has one link input; the API takes a list."""


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    return bool(request.headers.get("hx-request"))


def struct_from_form(
    form: dict[str, str],
    kind: type[T],
    fields: Iterable[str],
    checks: Checks | None = None,
    found: FieldErrors | None = None,
) -> T:
    """Only the named, non-empty fields; strings are converted the way the API would read JSON. `checks` are
    the service's field checks, run on the fields that convert when others do not (one answer for all);
    `found` are problems the page already saw, shown first."""
    data = {name: form[name].strip() for name in fields if form.get(name, "").strip()}
    return convert_form(data, kind, found=found, checks=checks)


def offer_from_form(form: dict[str, str], currency: str, now: datetime) -> schemas.OfferCreate:
    """The offer form as the API's body, or a `FormRefused` naming every wrong field (the terms checked in the
    thread's currency). The page picks a validity in hours (no time-zone guessing); the API's field is an instant."""
    data, found = dict(form), FieldErrors()
    hours = form.get("valid_for_hours", "").strip()
    if hours:
        try:
            data["valid_until"] = (now + timedelta(hours=int(hours))).isoformat()
        except (ValueError, OverflowError):
            found["valid_until"] = Msg(N_("Choose how long your offer stands."))
    checks = service_checks(services.terms_problems, currency, now)
    return struct_from_form(data, schemas.OfferCreate, OFFER_FIELDS, checks, found)


THREAD_FORMS = {
    "offer": ("rfq/_offer_form.html", "#offer-card"),
    "sample": ("rfq/_sample_form.html", "#sample-card"),
    "message": ("rfq/_message_form.html", "#message-card"),
    "sample_price": ("rfq/_state.html", "#thread-state"),
}
"""The forms of a thread page that come back with their input and problems, by name: the template HTMX gets
(the form's card; the seller's sample price sits in the live part of the page) and the element it replaces."""


async def refused_form(
    request: Request[Any, Any, Any],
    db_session: AsyncSession,
    thread_id: int,
    failed: str,
    form: dict[str, str],
    error: DomainError,
    names: Mapping[str, str] | None = None,
) -> Template:
    """A refused form of the thread page changes nothing: roll back, then show the form again with its input
    and every problem under its field (a problem of the whole form, like an ended negotiation, at its top);
    `names` maps the API's fields to the form's inputs where they differ.

    HTMX gets the form's card alone, swapped in place of the old one (a 200, as htmx swaps only 2xx answers);
    a plain form post gets the whole thread page with the refusal's status.
    """
    if error.status_code == 404:  # not a thread of theirs: the 404 page, as for any other move
        raise error
    await db_session.rollback()
    context = await thread_context(db_session, current_principal(request), thread_id)
    context.update(failed=failed, form=form, errors=field_errors(error, names))
    if is_htmx(request):
        template, target = THREAD_FORMS[failed]
        headers = {"HX-Retarget": target, "HX-Reswap": "outerHTML"}
        return Template(template, context={**context, "fragment": True}, headers=headers)
    return Template("rfq/thread.html", context=context, status_code=error.status_code)


async def refused(
    request: Request[Any, Any, Any], db_session: AsyncSession, error: DomainError, back_to: str
) -> Template | Redirect:
    """A refused page action changes nothing: roll back, then tell the user where they are.

    HTMX gets the message swapped into the page's feedback area (a 200, so htmx swaps it); a plain
    form post is redirected back with a flash message.
    """
    await db_session.rollback()
    if is_htmx(request):
        return Template(
            "errors/_fragment.html",
            context={"status": error.status_code, "title": error.title, "detail": plain_words(error)},
            headers={"HX-Retarget": "#rfq-feedback", "HX-Reswap": "innerHTML"},
        )
    flash(request, f"{localized(error.title)}: {localized(plain_words(error))}", category="error")
    return Redirect(back_to, status_code=303)


async def accept_confirmation(
    session: AsyncSession,
    principal: Principal,
    thread_id: int,
    form: dict[str, str],
    *,
    action: str,
    back: str,
) -> Template | None:
    """The confirm page of accepting the offer named in the form (a browser without JavaScript sees it),
    or None when the accept would be refused anyway (the accept then says why)."""
    raw = form.get("offer_id", "").strip()
    if not raw.isdigit() or len(raw) > 10:
        return None
    found = await services.offer_to_accept(session, principal, thread_id, int(raw))
    if found is None:
        return None
    offer, title = found
    step = accept_step(
        amount=format_minor(offer.price_minor, offer.currency) or "",
        currency=offer.currency,
        side="seller" if offer.by_side == "buyer" else "buyer",
        action=action,
        back=back,
        title=title,
        fields={"offer_id": raw, "idempotency_key": form.get("idempotency_key", "")[:100]},
    )
    return Template("confirm.html", context={"step": step, "currency": offer.currency})
