"""HTML forms to the API's Structs, and the answers a page action gives (fragment for HTMX, redirect otherwise)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from litestar import Request
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.guards import current_principal
from exchange.accounts.principal import Principal
from exchange.errors import DomainError
from exchange.i18n.messages import localized
from exchange.money import format_minor
from exchange.rfq import services
from web.confirm_steps import accept_step
from web.form_errors import Checks, FieldErrors, convert_form, plain_words
from web.pages.rfq._context import thread_context

__all__ = ["accept_confirmation", "is_htmx", "refused", "refused_form", "struct_from_form"]

T = TypeVar("T")


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


THREAD_FORMS = {"offer": "rfq/_offer_form.html", "sample": "rfq/_sample_form.html", "message": "rfq/_message_form.html"}
"""The forms of a thread page that come back with their input and problems, by name: each is a card of its own."""


async def refused_form(
    request: Request[Any, Any, Any],
    db_session: AsyncSession,
    thread_id: int,
    failed: str,
    form: dict[str, str],
    errors: FieldErrors,
    status_code: int,
) -> Template:
    """A refused form of the thread page changes nothing: roll back, then show the form again with its input
    and every problem under its field (a problem of the whole form, like an ended negotiation, at its top).

    HTMX gets the form's card alone, swapped in place of the old one (a 200, as htmx swaps only 2xx answers);
    a plain form post gets the whole thread page with the refusal's status.
    """
    await db_session.rollback()
    context = await thread_context(db_session, current_principal(request), thread_id)
    context.update(failed=failed, form=form, errors=errors)
    if is_htmx(request):
        headers = {"HX-Retarget": f"#{failed}-card", "HX-Reswap": "outerHTML"}
        return Template(THREAD_FORMS[failed], context=context, headers=headers)
    return Template("rfq/thread.html", context=context, status_code=status_code)


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
