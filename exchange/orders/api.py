"""Orders JSON API: the order and its actions, the payment callback, credit terms, runner-up offers."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from exchange import paging
from exchange.accounts.guards import current_principal, requires_admin, requires_signed_in
from exchange.orders import actions, credit, payment_flow, runner_up, schemas, services
from exchange.params import Id
from exchange.runtime import Runtime

__all__ = ["CreditController", "OrdersController", "PaymentsController", "RunnerUpOffersController", "controllers"]

PaymentId = Annotated[str, Parameter(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_]+$")]


class OrdersController(Controller):
    path = "/api/orders"
    tags = ["orders"]
    guards = [requires_signed_in]

    @get("/", summary="Orders where your organisation is buyer or seller")
    async def list_orders(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        limit: paging.Limit = None,
        offset: paging.Offset = None,
    ) -> schemas.OrderPage:
        window = paging.window(limit, offset)
        items, total = await services.orders_page_for(db_session, current_principal(request), window)
        return schemas.OrderPage(items=items, total=total, next=window.next_url_for(request, total))

    @get(
        "/{order_id:int}",
        summary="One order with its deadlines, timeline and the actions open to you (404 unless you are a party)",
    )
    async def get_order(self, request: Request[Any, Any, Any], db_session: AsyncSession, order_id: Id) -> schemas.Order:
        return await services.get_order_for(db_session, current_principal(request), order_id)

    @post(
        "/{order_id:int}/pay",
        status_code=200,
        summary="Buyer: start a payment (of the order, or of its credit invoice) with the configured provider",
    )
    async def pay(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, order_id: Id
    ) -> schemas.PaymentStarted:
        return await payment_flow.start_payment(db_session, runtime, current_principal(request), order_id)

    @post("/{order_id:int}/ship", status_code=200, summary="Seller: record the shipment (paid, or on credit terms)")
    async def ship(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        runtime: Runtime,
        order_id: Id,
        data: schemas.ShipIn,
    ) -> schemas.Order:
        return await actions.ship(db_session, runtime, current_principal(request), order_id, data)

    @post("/{order_id:int}/deliver", status_code=200, summary="Buyer: confirm delivery; the inspection window opens")
    async def deliver(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, order_id: Id
    ) -> schemas.Order:
        return await actions.deliver(db_session, runtime, current_principal(request), order_id)

    @post(
        "/{order_id:int}/mark-delivered",
        status_code=200,
        summary="Seller: mark the order delivered with proof; the buyer is told and its inspection window opens",
    )
    async def mark_delivered(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        runtime: Runtime,
        order_id: Id,
        data: schemas.MarkDeliveredIn,
    ) -> schemas.Order:
        return await actions.mark_delivered(db_session, runtime, current_principal(request), order_id, data)

    @post("/{order_id:int}/accept", status_code=200, summary="Buyer: accept the goods; the order is settled")
    async def accept(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, order_id: Id
    ) -> schemas.Order:
        return await actions.accept(db_session, runtime, current_principal(request), order_id)

    @post(
        "/{order_id:int}/runner-up-offer",
        status_code=201,
        summary="Seller of a cancelled sealed-bid order: offer the lot to the next bidder at its own final bid",
    )
    async def runner_up_offer(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, order_id: Id
    ) -> schemas.RunnerUpOffer:
        return await runner_up.offer_next(db_session, runtime, current_principal(request), order_id)


class PaymentsController(Controller):
    path = "/api/payments"
    tags = ["orders"]

    @post(
        "/{payment_id:str}/confirm",
        status_code=200,
        summary="The payment provider's signed callback (no sign-in: the signature authenticates it); "
        "replays change nothing",
    )
    async def confirm(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, payment_id: PaymentId
    ) -> schemas.PaymentConfirmed:
        body = await request.body()
        return await payment_flow.confirm_payment(db_session, runtime, payment_id, request.headers, body)


class CreditController(Controller):
    path = "/api/admin/orgs"
    tags = ["orders", "admin"]
    guards = [requires_admin]

    @post(
        "/{org_id:int}/credit",
        status_code=200,
        summary="Admin: grant or change a buyer org's credit terms `{limit, currency, net_days: 30|45}`",
    )
    async def grant(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        runtime: Runtime,
        org_id: Id,
        data: schemas.CreditIn,
    ) -> schemas.Credit:
        now = runtime.clock.now()
        line = await credit.grant(db_session, org_id, data, by_user_id=current_principal(request).user_id, now=now)
        return await credit.credit_out(db_session, line, org_id, now)

    @get("/{org_id:int}/credit", summary="Admin: a buyer org's credit terms, exposure and whether it is overdue")
    async def show(self, db_session: AsyncSession, runtime: Runtime, org_id: Id) -> schemas.Credit:
        now = runtime.clock.now()
        return await credit.credit_out(db_session, await credit.credit_line(db_session, org_id), org_id, now)


class RunnerUpOffersController(Controller):
    path = "/api/runner-up-offers"
    tags = ["orders"]
    guards = [requires_signed_in]

    @get("/{offer_id:int}", summary="A runner-up offer (the offered bidder, the seller and admins)")
    async def show(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, offer_id: Id
    ) -> schemas.RunnerUpOffer:
        return await runner_up.get_offer(db_session, current_principal(request), offer_id)

    @post("/{offer_id:int}/accept", status_code=200, summary="The offered bidder buys the lot at its own final bid")
    async def accept(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, offer_id: Id
    ) -> schemas.RunnerUpOffer:
        return await runner_up.answer_offer(db_session, runtime, current_principal(request), offer_id, accept=True)

    @post("/{offer_id:int}/decline", status_code=200, summary="The offered bidder declines the lot")
    async def decline(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime, offer_id: Id
    ) -> schemas.RunnerUpOffer:
        return await runner_up.answer_offer(db_session, runtime, current_principal(request), offer_id, accept=False)


controllers = [OrdersController, PaymentsController, CreditController, RunnerUpOffersController]
