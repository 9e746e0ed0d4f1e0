"""Sale pages of a lot (sealed bid or fixed price), the buyer's "my bids", the opening report, live events.

The lot page of the catalogue embeds the panel with
`<div hx-get="/lots/{id}/sale/panel" hx-trigger="load" hx-swap="outerHTML"></div>`; `/lots/{id}/sale`
is a page of its own around the same panel. Forms post with HTMX and get the panel's action area
back (errors shown in it); without JavaScript they redirect back to the sale page with a message.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.guards import current_principal, requires_org_kind, requires_signed_in
from exchange.accounts.principal import Principal
from exchange.auctions import schemas, services
from exchange.auctions.errors import NO_BID
from exchange.errors import DomainError
from exchange.i18n.catalog import N_
from exchange.i18n.messages import Money, Msg, localized
from exchange.lots.visibility import get_visible_lot
from exchange.money import format_minor, parse_currency, parse_money
from exchange.params import Id
from exchange.runtime import Runtime
from web.confirm_steps import ConfirmStep, bid_step, is_confirmed, purchase_step, withdraw_step
from web.form_errors import plain_words
from web.pages.forms import form_fields

__all__ = ["AuctionPages"]


def _viewer(request: Request[Any, Any, Any]) -> Principal | None:
    user = request.scope.get("user")
    return user if isinstance(user, Principal) else None


def _confirm_page(view: services.SaleView, step: ConfirmStep) -> Template:
    """The binding step in words, with a button that does it (a browser without JavaScript sees this)."""
    lot = view.lot
    step = replace(step, back=step.back or f"/lots/{lot.id}/sale", title=step.title or lot.title)
    return Template("confirm.html", context={"step": step, "currency": lot.currency})


def _is_htmx(request: Request[Any, Any, Any]) -> bool:
    return bool(request.headers.get("hx-request"))


class AuctionPages(Controller):
    include_in_schema = False

    async def _view(
        self, request: Request[Any, Any, Any], session: AsyncSession, runtime: Runtime, lot_id: int
    ) -> services.SaleView:
        return await services.sale_view(session, runtime, _viewer(request), lot_id)

    @get("/lots/{lot_id:int}/sale")
    async def sale_page(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id, runtime: Runtime
    ) -> Template:
        return Template("auctions/sale.html", context={"view": await self._view(request, db_session, runtime, lot_id)})

    @get("/lots/{lot_id:int}/sale/panel")
    async def sale_panel(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id, runtime: Runtime
    ) -> Template:
        return Template(
            "auctions/_panel.html", context={"view": await self._view(request, db_session, runtime, lot_id)}
        )

    @get("/lots/{lot_id:int}/sale/status")
    async def sale_status(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id, runtime: Runtime
    ) -> Template:
        return Template(
            "auctions/_status.html", context={"view": await self._view(request, db_session, runtime, lot_id)}
        )

    @get("/lots/{lot_id:int}/sale/actions")
    async def sale_actions(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id, runtime: Runtime
    ) -> Template:
        return Template(
            "auctions/_actions.html", context={"view": await self._view(request, db_session, runtime, lot_id)}
        )

    async def _after_action(
        self,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        runtime: Runtime,
        lot_id: int,
        *,
        message: str | None = None,
        error: DomainError | None = None,
        receipt: schemas.BidReceipt | None = None,
        amount_value: str = "",
    ) -> Template | Redirect:
        if not _is_htmx(request):
            if error is not None:
                flash(request, f"{localized(error.title)}: {localized(plain_words(error))}", category="error")
            elif message:
                flash(request, message, category="success")
            return Redirect(f"/lots/{lot_id}/sale", status_code=303)
        view = await self._view(request, session, runtime, lot_id)
        context = {
            "view": view,
            "message": message,
            "error": plain_words(error) if error else None,
            "error_field": error.field if error else None,
            "fresh_receipt": receipt,
            "amount_value": amount_value if error else "",
        }
        # 200 even for a refusal: htmx swaps only 2xx answers, and the message belongs in the panel.
        return Template("auctions/_actions.html", context=context)

    @post("/lots/{lot_id:int}/sale/bid", guards=[requires_signed_in])
    async def bid(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id, runtime: Runtime
    ) -> Template | Redirect:
        form = await form_fields(request)
        data = schemas.BidIn(amount=form.get("amount", "").strip(), currency=form.get("currency") or "CNY")
        view = None if is_confirmed(request, form) else await self._view(request, db_session, runtime, lot_id)
        if view is not None and view.can_bid and not view.needs_deposit:
            try:
                currency = parse_currency(data.currency)
                amount = format_minor(parse_money(data.amount, currency), currency) or data.amount
            except DomainError as error:
                return await self._after_action(request, db_session, runtime, lot_id, error=error)
            return _confirm_page(view, bid_step(view, amount, currency))
        try:
            receipt = await services.place_bid(runtime, current_principal(request), lot_id, data)
        except DomainError as error:
            if error.status_code == 404:
                raise
            return await self._after_action(
                request, db_session, runtime, lot_id, error=error, amount_value=data.amount[:40]
            )
        return await self._after_action(
            request,
            db_session,
            runtime,
            lot_id,
            message=Msg(
                "Your bid of {amount} is in (revision {revision}).",
                amount=Money(receipt.amount, receipt.currency),
                revision=receipt.revision,
            ).render(),
            receipt=receipt,
        )

    @post("/lots/{lot_id:int}/sale/withdraw", guards=[requires_signed_in])
    async def withdraw(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id, runtime: Runtime
    ) -> Template | Redirect:
        if not is_confirmed(request, await form_fields(request)):
            view = await self._view(request, db_session, runtime, lot_id)
            if view.my_bid is not None and view.phase == "open":
                return _confirm_page(view, withdraw_step(view))
        try:
            await services.withdraw_bid(runtime, current_principal(request), lot_id)
        except DomainError as error:
            if error.status_code == 404 and error.code != NO_BID.code:
                raise
            return await self._after_action(request, db_session, runtime, lot_id, error=error)
        return await self._after_action(
            request, db_session, runtime, lot_id, message=Msg("Your bid is withdrawn.").render()
        )

    @post("/lots/{lot_id:int}/sale/purchase", guards=[requires_signed_in])
    async def purchase(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id, runtime: Runtime
    ) -> Template | Redirect | Response[Any]:
        if not is_confirmed(request, await form_fields(request)):
            view = await self._view(request, db_session, runtime, lot_id)
            if view.can_buy:
                return _confirm_page(view, purchase_step(view))
        try:
            order = await services.purchase(runtime, current_principal(request), lot_id)
        except DomainError as error:
            if error.status_code == 404:
                raise
            return await self._after_action(request, db_session, runtime, lot_id, error=error)
        flash(request, N_("The lot is yours. Pay into escrow to have it shipped."), category="success")
        if _is_htmx(request):
            return Response(content="", status_code=200, headers={"HX-Redirect": f"/orders/{order.id}"})
        return Redirect(f"/orders/{order.id}", status_code=303)

    @post("/lots/{lot_id:int}/sale/deposit", guards=[requires_signed_in])
    async def deposit(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id, runtime: Runtime
    ) -> Template | Redirect:
        try:
            deposit, _created = await services.place_deposit(runtime, current_principal(request), lot_id)
        except DomainError as error:
            if error.status_code == 404:
                raise
            return await self._after_action(request, db_session, runtime, lot_id, error=error)
        message = Msg(
            "Deposit of {amount} held in escrow. You can bid now.", amount=Money(deposit.amount, deposit.currency)
        ).render()
        return await self._after_action(request, db_session, runtime, lot_id, message=message)

    @post("/lots/{lot_id:int}/sale/watch", guards=[requires_signed_in])
    async def watch(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id, runtime: Runtime
    ) -> Template | Redirect:
        form = await form_fields(request)
        watching = form.get("watching", "1") != "0"
        await services.set_watch(db_session, current_principal(request), lot_id, watching=watching)
        await db_session.commit()
        message = (
            Msg("You will get a reminder before it closes.") if watching else Msg("You no longer watch this lot.")
        ).render()
        return await self._after_action(request, db_session, runtime, lot_id, message=message)

    @get("/lots/{lot_id:int}/sale/receipt.json", guards=[requires_signed_in])
    async def receipt_json(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id
    ) -> Response[schemas.MyBid]:
        """Your current bid as JSON, to keep and to check later with `exchange verify-receipt`."""
        bid = await services.my_bid(db_session, current_principal(request), lot_id)
        disposition = f'attachment; filename="lot-{lot_id}-bid-r{bid.revision}.json"'
        return Response(bid, headers={"Content-Disposition": disposition})

    @get("/lots/{lot_id:int}/opening.json", guards=[requires_signed_in])
    async def opening_json(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id
    ) -> Response[schemas.OpeningReport]:
        report = await services.opening_report(db_session, current_principal(request), lot_id)
        disposition = f'attachment; filename="lot-{lot_id}-opening-report.json"'
        return Response(report, headers={"Content-Disposition": disposition})

    @get("/lots/{lot_id:int}/opening")
    async def opening(self, request: Request[Any, Any, Any], db_session: AsyncSession, lot_id: Id) -> Template:
        principal = current_principal(request)
        lot = await get_visible_lot(db_session, principal, lot_id)
        report = await services.opening_report(db_session, principal, lot_id)
        tie_of = {rank: tie for tie in report.ties for rank in tie.ranks}
        return Template("auctions/opening.html", context={"lot": lot, "report": report, "tie_of": tie_of})

    @get("/bids", guards=[requires_signed_in, requires_org_kind("buyer")])
    async def my_bids(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        bids = await services.list_my_bids(db_session, current_principal(request))
        return Template("auctions/my_bids.html", context={"bids": bids})

    @get("/bids/panel", guards=[requires_signed_in])
    async def my_bids_panel(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        bids = await services.list_my_bids(db_session, current_principal(request), limit=5)
        return Template("auctions/_my_bids_panel.html", context={"bids": [b for b in bids if b.outcome == "active"]})
