"""Runner-up offer pages: the seller of a cancelled sealed-bid order offers the lot to the next bidder (a button on
the order page, `OrderPages.runner_up_offer`), and the offered bidder sees the offer on its own page and accepts
or declines it. Plain forms (POST, then 303); a refusal shows its reason on the page and changes nothing.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.guards import current_principal, requires_signed_in
from exchange.errors import DomainError
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Money, Msg
from exchange.orders import runner_up
from exchange.params import Id
from exchange.runtime import Runtime
from web.confirm_orders import runner_up_step
from web.confirm_steps import is_confirmed
from web.pages.forms import form_fields

__all__ = ["RunnerUpOfferPages"]

STATUS_WORDS = {
    "offered": N_("Waiting for your answer"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "lapsed": N_("Lapsed (not answered in time)"),
}


class RunnerUpOfferPages(Controller):
    path = "/runner-up-offers"
    include_in_schema = False
    guards = [requires_signed_in]

    async def _page(
        self, request: Request[Any, Any, Any], session: AsyncSession, offer_id: int, *, error: DomainError | None = None
    ) -> Template:
        offer, who = await runner_up.viewed_offer(session, current_principal(request), offer_id)
        context = {"offer": offer, "who": who, "status_words": STATUS_WORDS, "error": error}
        return Template("orders/runner_up_offer.html", context=context, status_code=error.status_code if error else 200)

    @get("/{offer_id:int}")
    async def show(self, request: Request[Any, Any, Any], db_session: AsyncSession, offer_id: Id) -> Template:
        return await self._page(request, db_session, offer_id)

    async def _answer(
        self, request: Request[Any, Any, Any], session: AsyncSession, runtime: Runtime, offer_id: int, *, accept: bool
    ) -> Template | Redirect:
        try:
            offer = await runner_up.answer_offer(session, runtime, current_principal(request), offer_id, accept=accept)
        except DomainError as error:
            await session.rollback()
            return await self._page(request, session, offer_id, error=error)
        await session.commit()
        if accept and offer.order_id is not None:
            price = Money(offer.amount, offer.currency)
            flash(
                request,
                Msg("You bought the lot at {price}: pay to complete.", price=price).render(),
                category="success",
            )
            return Redirect(f"/orders/{offer.order_id}", status_code=303)
        flash(request, Msg("You declined the offer; the seller is told.").render(), category="success")
        return Redirect(f"/runner-up-offers/{offer_id}", status_code=303)

    @post("/{offer_id:int}/accept")
    async def accept(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, offer_id: Id
    ) -> Template | Redirect:
        if not is_confirmed(request, await form_fields(request)):
            offer, who = await runner_up.viewed_offer(db_session, current_principal(request), offer_id)
            if who == "bidder" and offer.status == "offered":
                return Template("confirm.html", context={"step": runner_up_step(offer), "currency": offer.currency})
        return await self._answer(request, db_session, runtime, offer_id, accept=True)

    @post("/{offer_id:int}/decline")
    async def decline(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, offer_id: Id
    ) -> Template | Redirect:
        return await self._answer(request, db_session, runtime, offer_id, accept=False)
